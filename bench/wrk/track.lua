-- Conversions and the mixed load. args: kind (lead | sale | buyers | mixed), comma-separated
-- API keys (taken in turn: each has its own rate limit), click id, customer of the sales (with
-- "buyers": the prefix of their ids), run id, comma-separated short-link paths (for mixed),
-- number of buyers (for "buyers": customers `<prefix>-1` to `<prefix>-N`, each with a lead).
dofile(os.getenv("WRK_LIB") .. "/common.lua")

function init(args)
  kind, click, buyer, run = args[1], args[3], args[4], args[5]
  keys = split(args[2])
  paths = split(args[6] or "/")
  buyers = tonumber(args[7] or "1")
  math.randomseed(tid * 104729 + 3)
end

local function post(path, body)
  local key = keys[counter % #keys + 1]
  local headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
  return wrk.format("POST", path, headers, body)
end

local function lead()
  counter = counter + 1
  local body = string.format(
    '{"clickId":"%s","eventName":"Sign up","customerExternalId":"%s-%d-%d"}',
    click, run, tid, counter)
  return post("/track/lead", body)
end

local function sale(customer)
  counter = counter + 1
  local body = string.format(
    '{"customerExternalId":"%s","amount":4999,"currency":"usd","invoiceId":"%s-%d-%d"}',
    customer, run, tid, counter)
  return post("/track/sale", body)
end

local function any_buyer()
  return string.format("%s-%d", buyer, math.random(buyers))
end

local function visit()
  local path = paths[math.random(#paths)]
  return wrk.format("GET", path, {["X-Forwarded-For"] = next_address(), ["User-Agent"] = agent()})
end

function request()
  if kind == "lead" then return lead() end
  if kind == "sale" then return sale(buyer) end
  if kind == "buyers" then return sale(any_buyer()) end
  local roll = math.random(100)
  if roll <= 90 then return visit() end
  if roll <= 98 then return lead() end
  return sale(buyer)
end
