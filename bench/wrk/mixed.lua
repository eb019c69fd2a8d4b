-- wrk script: readers and an administrator together. One request in
-- WRITE_EVERY (default 20) updates a movie through /manage/update (each
-- write moves the catalog version, so every instance's caches start
-- again); the rest are listings people ask for often. The bearer token
-- given with -H must be an administrator's.
local every = tonumber(os.getenv("WRITE_EVERY") or "20")
local reads = { "/listing?name=Star", "/listing", "/listing?genre=Drama", "/listing?name=the&genre=Drama",
  "/listing?director=spielberg", "/listing?name=god" }
local n = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init()
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  n = n + 1
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  if n % every == 0 then
    headers["Content-Type"] = "application/json"
    headers["Accept"] = "application/json"
    local id = math.random(1, 20)
    local body = string.format(
      '{"id":%d,"movie_name":"Load test movie %d","director":"wrk","popularity":%d,"chip_genres":"Drama","imdb_score":7}',
      id, id, math.random(0, 100))
    return wrk.format("POST", "/manage/update", headers, body)
  end
  headers["HX-Request"] = "true"
  return wrk.format("GET", reads[math.random(#reads)], headers)
end
