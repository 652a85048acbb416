-- One class of traffic for wrk: METHOD, the space-separated PATHS taken in turn, an
-- optional BODY, and the status every answer must have (EXPECT, 200 by default), from the
-- environment. Any other status is an error: a lost session's redirect to sign-in is a
-- failure, not a success. Prints one line at the end:
-- requests per-second p50-ms p99-ms p99.9-ms errors
local method = os.getenv("METHOD") or "GET"
local expect = tonumber(os.getenv("EXPECT") or "200")
local body = os.getenv("BODY")
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/", "%S+") do
  table.insert(paths, p)
end
local n = 0
-- Per thread (each wrk thread has its own Lua state); summed in done() through setup().
unexpected = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

response = function(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

request = function()
  n = n % #paths + 1
  if body then
    -- Headers given here replace the -H ones, so those are copied in.
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    for k, v in pairs(wrk.headers) do headers[k] = v end
    return wrk.format(method, paths[n], headers, body)
  end
  return wrk.format(method, paths[n])
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("unexpected")
  end
  io.write(string.format("%d %.1f %.2f %.2f %.2f %d\n",
    summary.requests,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000,
    errors))
end
