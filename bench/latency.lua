-- For bench/site.py: after a run, how many requests were made and the latency (in µs) at
-- the middle of every thousandth of them, so that the latencies of several runs can be pooled.
done = function(summary, latency, requests)
  io.write(string.format("POOL requests %d\n", summary.requests))
  for i = 1, 1000 do
    io.write(string.format("POOL %d\n", latency:percentile((i - 0.5) / 10)))
  end
end
