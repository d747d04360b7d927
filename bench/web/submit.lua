-- POST /a/{token}/review (回答を送信する) with the form's antiforgery token: each request submits a different
-- invitation's draft once. A thread that runs out of invitations stops rather than post duplicates.
-- wrk -s submit.lua URL -- SUBMITS_FILE COOKIE_FILE
local list, n, i = {}, 0, 0
local cookie
local counter, threads = 0, {}
function setup(thread) thread:set("id", counter); counter = counter + 1; table.insert(threads, thread) end
function init(args)
  local all = {}
  for line in io.lines(args[1]) do table.insert(all, line) end
  cookie = io.open(args[2]):read("*l")
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  for k = 1 + id, #all, nthreads do n = n + 1; list[n] = all[k] end
end
function request()
  i = i + 1
  if i > n then wrk.thread:stop(); i = n end
  local token, rvt = list[i]:match("(%S+) (%S+)")
  local body = "__RequestVerificationToken=" .. rvt .. "&draftVersion=1"
  return wrk.format("POST", "/a/" .. token .. "/review",
    { ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie }, body)
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
