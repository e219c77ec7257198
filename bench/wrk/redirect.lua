-- GET short links. args: mode (new | repeat | bot), then comma-separated paths.
--   new: a different visitor every request (a click is recorded each time)
--   repeat: one visitor again and again (the dedup path)
--   bot: a crawler (redirected, never recorded)
dofile(os.getenv("WRK_LIB") .. "/common.lua")

function init(args)
  mode = args[1]
  paths = split(args[2])
  math.randomseed(tid * 7919 + 1)
end

function request()
  local path = paths[math.random(#paths)]
  if mode == "new" then
    return wrk.format("GET", path, {["X-Forwarded-For"] = next_address(), ["User-Agent"] = agent()})
  elseif mode == "bot" then
    return wrk.format("GET", path, {["User-Agent"] = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"})
  end
  return wrk.format("GET", path, {["X-Forwarded-For"] = "203.0.113.9", ["User-Agent"] = agents[1]})
end
