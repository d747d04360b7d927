-- GET of a section page (page 2, with the invitation's draft answers filled in), rotating over many invitations.
-- wrk -s view.lua URL -- TOKENS_FILE
local tokens, n, i = {}, 0, 0
local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  for line in io.lines(args[1]) do n = n + 1; tokens[n] = line end
  i = (id or 0) * 7919
end
function request()
  i = i + 1
  return wrk.format("GET", "/a/" .. tokens[(i % n) + 1] .. "/s/2")
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
