-- POST JSON bodies and print one machine-readable RESULT line at the end.
--   WRK_BODY_FILE=<file>: that body, to the URL wrk was given.
--   WRK_BODIES_DIR=<dir>: a rotation of calls, one per line of <dir>/actions.txt, each
--   POSTed to /<action>_v1 with the body <dir>/<action>.json.
-- wrk counts answers with a status of 400 or more in errors.status (no Lua response()
-- hook here: it would slow wrk down).
local function read(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local body_file = os.getenv("WRK_BODY_FILE")
local bodies_dir = os.getenv("WRK_BODIES_DIR")
local rotation = {}
local next_index = 0

if body_file and body_file ~= "" then
  wrk.body = read(body_file)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function init(args)
  if bodies_dir and bodies_dir ~= "" then
    for action in io.lines(bodies_dir .. "/actions.txt") do
      rotation[#rotation + 1] = wrk.format(
        "POST", "/" .. action .. "_v1", { ["Content-Type"] = "application/json" },
        read(bodies_dir .. "/" .. action .. ".json"))
    end
  end
end

if bodies_dir and bodies_dir ~= "" then
  request = function()
    next_index = next_index % #rotation + 1
    return rotation[next_index]
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
