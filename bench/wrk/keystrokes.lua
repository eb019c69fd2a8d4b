-- wrk script: every request is a new search as htmx sends it while someone
-- types: a random two-letter title prefix and a one-letter director prefix
-- (17,576 combinations), so most requests miss every cache. wrk's -H
-- headers (the bearer token) are kept.
local letters = "abcdefghijklmnopqrstuvwxyz"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init()
  math.randomseed(os.time() * 1000 + seed)
end

local function letter()
  local i = math.random(#letters)
  return letters:sub(i, i)
end

function request()
  local headers = { ["HX-Request"] = "true" }
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return wrk.format("GET", "/listing?name=" .. letter() .. letter() .. "&director=" .. letter(), headers)
end
