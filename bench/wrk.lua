-- wrk script of the bench (bench/run.py sets the environment):
--   BENCH_TOKEN        the bearer token
--   BENCH_PREFIX       /api/v1/tenants/<tenant>
--   BENCH_SCENARIO     get_loan | page | post_loan | post_claim
--   BENCH_LO, BENCH_HI the ids to use, inclusive: loans (get_loan), firms (post_loan), the
--                      defaulted loans this run may claim on (post_claim; split between the
--                      threads, each used once)
--   BENCH_PROGRAM, BENCH_LENDER, BENCH_RUN   program id, lender id, a tag making references unique
--   BENCH_DELAY_MS     pause of each connection before each request (0: as fast as it can)
--   BENCH_DOCUMENT     the claim's document (a JSON object)
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("BENCH_TOKEN")
  prefix = os.getenv("BENCH_PREFIX")
  scenario = os.getenv("BENCH_SCENARIO")
  lo = tonumber(os.getenv("BENCH_LO") or "0")
  hi = tonumber(os.getenv("BENCH_HI") or "0")
  program = os.getenv("BENCH_PROGRAM")
  lender = os.getenv("BENCH_LENDER")
  run = os.getenv("BENCH_RUN")
  pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
  document = os.getenv("BENCH_DOCUMENT") or "{}"
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  n = 0
  math.randomseed(index * 7919 + os.time())
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  return pause
end

function request()
  n = n + 1
  local key = run .. "-" .. index .. "-" .. n
  wrk.headers["Idempotency-Key"] = key
  if scenario == "get_loan" then
    return wrk.format("GET", prefix .. "/loans/" .. math.random(lo, hi))
  elseif scenario == "page" then
    return wrk.format("GET", prefix .. "/loans?page=1&page_size=50")
  elseif scenario == "post_loan" then
    local body = string.format(
      '{"program_id": %s, "firm_id": %s, "lender_id": %s, "reference": "W-%s",'
        .. ' "kind": "credit", "principal": "300000.00", "issue_date": "2025-03-03",'
        .. ' "maturity_date": "2026-03-03", "attributes": {"via_platform": true}}',
      program, math.random(lo, hi), lender, key)
    return wrk.format("POST", prefix .. "/loans", nil, body)
  elseif scenario == "post_claim" then
    -- thread i takes lo + i - 1, then every T-th loan: no loan is claimed twice
    local loan = lo + (index - 1) + (n - 1) * nthreads
    if loan > hi then
      loan = 0  -- the run outlasted its slice: a 404, counted as an error
    end
    local body = string.format(
      '{"loan_id": %s, "claimed_principal": "500000.00", "documents": [%s]}', loan, document)
    return wrk.format("POST", prefix .. "/claims", nil, body)
  end
end
