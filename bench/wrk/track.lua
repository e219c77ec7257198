-- Conversions and the mixed load. args: kind (lead | sale | mixed), API key, click id,
-- customer of the sales, run id, comma-separated short-link paths (for mixed).
dofile(os.getenv("WRK_LIB") .. "/common.lua")

function init(args)
  kind, key, click, buyer, run = args[1], args[2], args[3], args[4], args[5]
  paths = split(args[6] or "/")
  math.randomseed(tid * 104729 + 3)
  json = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
end

local function lead()
  counter = counter + 1
  local body = string.format(
    '{"clickId":"%s","eventName":"Sign up","customerExternalId":"%s-%d-%d"}',
    click, run, tid, counter)
  return wrk.format("POST", "/track/lead", json, body)
end

local function sale()
  counter = counter + 1
  local body = string.format(
    '{"customerExternalId":"%s","amount":4999,"currency":"usd","invoiceId":"%s-%d-%d"}',
    buyer, run, tid, counter)
  return wrk.format("POST", "/track/sale", json, body)
end

local function visit()
  local path = paths[math.random(#paths)]
  return wrk.format("GET", path, {["X-Forwarded-For"] = next_address(), ["User-Agent"] = agent()})
end

function request()
  if kind == "lead" then return lead() end
  if kind == "sale" then return sale() end
  local roll = math.random(100)
  if roll <= 90 then return visit() end
  if roll <= 98 then return lead() end
  return sale()
end
