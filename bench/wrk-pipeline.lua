-- wrk-pipeline.lua: HTTP pipelining for wrk. Each write on a connection
-- carries DEPTH requests for GET / (the argument after "--", 16 by
-- default) and wrk reads their DEPTH responses before it writes the next
-- batch. WRK_CONNECTIONS must be the -c given to wrk (see below):
--
--   WRK_CONNECTIONS=50 wrk -t1 -c50 -d5s -s bench/wrk-pipeline.lua http://127.0.0.1:8080/ -- 16
--
-- wrk counts every response in its requests/s, but records one latency
-- per batch: from the write of the batch to the last of its responses.
--
-- Before it prints its latencies (and before done below), wrk "corrects"
-- them for coordinated omission: for every latency n of at least twice e,
-- the mean time between two requests of a connection (the run's length
-- over the requests per connection), it adds the latencies n-e, n-2e, ...
-- down to e. Under pipelining e is the time between two responses, not
-- two batches, so the added latencies far outnumber the real ones, and
-- many fall below the smallest real one, where wrk's percentiles do not
-- look: its 90% and 99% print as 0. done undoes the correction, computing
-- e as wrk does (which needs the number of connections: done runs in a
-- Lua state of its own, which init's arguments do not reach, hence the
-- environment), and takes the percentiles of the batches' own latencies.
-- It prints one line for bench/http.sh, times in microseconds, errors
-- summed over wrk's kinds (connect, read, write, timeout, and responses
-- other than 2xx or 3xx); batches is how many latencies were recorded:
--
--   wrk-pipeline: requests=N duration_us=D batches=B p50_us=X p99_us=Y errors=E

local depth = 16
local batch

-- positive returns args[i] as a positive whole number, or def if absent.
local function positive(args, i, def, what)
	if args[i] == nil then
		return def
	end
	local n = tonumber(args[i])
	if n == nil or n < 1 or n ~= math.floor(n) then
		error("wrk-pipeline.lua: " .. what .. " must be a positive whole number, not " .. tostring(args[i]))
	end
	return n
end

-- init runs in each of wrk's threads, with the arguments after "--".
function init(args)
	depth = positive(args, 1, 16, "the depth")
	local requests = {}
	for i = 1, depth do
		requests[i] = wrk.format("GET", "/")
	end
	batch = table.concat(requests)
end

-- request gives wrk what to write each time: the whole batch. wrk counts
-- the requests in it once, at the start, and waits for that many answers.
function request()
	return batch
end

-- batchLatencies returns the latencies wrk recorded, before its
-- correction: a list of values (µs) in increasing order, their counts, and
-- the number of latencies; nil if it cannot tell.
local function batchLatencies(summary, latency)
	local conns = positive({os.getenv("WRK_CONNECTIONS")}, 1, nil, "WRK_CONNECTIONS")
	local perConn = conns and math.floor(summary.requests / conns) or 0
	if perConn == 0 then
		return nil
	end
	local e = math.floor(summary.duration / perConn) -- as wrk computes it
	local values, counts = {}, {}
	for i = 1, #latency do
		values[i], counts[i] = latency(i)
	end
	-- From the largest value down: what the larger ones added to a value
	-- is known by the time it is reached.
	local added, total = {}, 0
	for i = #values, 1, -1 do
		local v = values[i]
		local c = counts[i] - (added[v] or 0)
		if c < 0 then
			return nil
		end
		counts[i], total = c, total + c
		if e > 0 and v >= 2 * e and c > 0 then
			local m = v - e
			while m > e do
				added[m] = (added[m] or 0) + c
				m = m - e
			end
		end
	end
	return values, counts, total
end

-- percentile returns the smallest value that p percent of the latencies
-- do not exceed.
local function percentile(values, counts, total, p)
	local rank, seen = math.max(math.ceil(p / 100 * total), 1), 0
	for i = 1, #values do
		seen = seen + counts[i]
		if seen >= rank then
			return values[i]
		end
	end
	return values[#values]
end

-- done runs once, at the end.
function done(summary, latency, requests)
	local e = summary.errors
	local values, counts, total = batchLatencies(summary, latency)
	local p50, p99 = -1, -1
	if values and total > 0 then
		p50 = percentile(values, counts, total, 50)
		p99 = percentile(values, counts, total, 99)
	else
		total = -1
	end
	io.write(string.format("wrk-pipeline: requests=%.0f duration_us=%.0f batches=%.0f p50_us=%.0f p99_us=%.0f errors=%.0f\n",
		summary.requests, summary.duration, total, p50, p99,
		e.connect + e.read + e.write + e.status + e.timeout))
end
