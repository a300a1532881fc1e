-- wrk: POST /api/uploads (presign) as a signed-in person; TOKEN comes from the environment.
wrk.method = "POST"
wrk.body = '{"filename":"a.jpg","contentType":"image/jpeg","size":12345}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

function done(summary, latency, requests)
   io.write(string.format("p50_ms=%.2f p99_ms=%.2f rps=%.0f non2xx=%d\n",
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests / (summary.duration / 1e6), summary.errors.status))
end
