-- The framework's ceiling: a static file of the app (no database, no Razor).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
