-- POST a rotation of calls: one request per file "<action>.json" in the folder named by
-- WRK_BODIES_DIR, listed (one action a line) in its file "actions.txt". Prints one
-- machine-readable RESULT line at the end, like post.lua.
local dir = os.getenv("WRK_BODIES_DIR")
local requests = {}
local next_index = 0

function init(args)
  for action in io.lines(dir .. "/actions.txt") do
    local file = assert(io.open(dir .. "/" .. action .. ".json", "rb"))
    local body = file:read("*a")
    file:close()
    requests[#requests + 1] = wrk.format(
      "POST", "/" .. action .. "_v1", { ["Content-Type"] = "application/json" }, body)
  end
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
