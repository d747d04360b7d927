-- GET of a section page (page 2, with the invitation's draft answers filled in), rotating over many invitations.
-- wrk -s view.lua URL -- TOKENS_FILE [COOKIE_FILE]
-- With COOKIE_FILE every request sends that antiforgery cookie, as a browser does after its first page (the server then
-- makes only the form's token); without it, none (every response also makes a cookie token and sets the cookie).
local tokens, n, i = {}, 0, 0
local headers = {}
local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  for line in io.lines(args[1]) do n = n + 1; tokens[n] = line end
  i = (id or 0) * 7919
  if args[2] then headers["Cookie"] = io.open(args[2]):read("*l") end
end
function request()
  i = i + 1
  return wrk.format("GET", "/a/" .. tokens[(i % n) + 1] .. "/s/2", headers)
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
