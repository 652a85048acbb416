-- One class of traffic for wrk: METHOD, the space-separated PATHS taken in turn, and an
-- optional BODY, from the environment. Prints one line at the end:
-- requests per-second p50-ms p99-ms p99.9-ms errors
local method = os.getenv("METHOD") or "GET"
local body = os.getenv("BODY")
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/", "%S+") do
  table.insert(paths, p)
end
local n = 0

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
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("%d %.1f %.2f %.2f %.2f %d\n",
    summary.requests,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000,
    errors))
end
