-- GET the first page (25) of the ticket list, sorted by updated.
request = function()
  return wrk.format("GET", "/api/v1/tickets?limit=25", {["Authorization"] = "Bearer " .. os.getenv("HAVEN_TOKEN")})
end
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
