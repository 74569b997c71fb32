-- The first step's page, as a browser asks for it on a first visit: a full page (no
-- htmx), compressed, the cookies it was given sent back.
package.path = package.path .. ";bench/wrk/?.lua"
local jar = require("jar")
statuses, sent = jar.statuses, jar.sent
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  local headers = {["Accept-Encoding"] = "gzip, deflate, br",
                   ["Accept"] = "text/html", ["Accept-Language"] = "en-US,en;q=0.9"}
  local cookie = jar.cookie()
  if cookie ~= "" then headers["Cookie"] = cookie end
  jar.sent.get = (jar.sent.get or 0) + 1
  return wrk.format("GET", "/enroll/practice", headers)
end

function response(status, headers, body)
  jar.count(status)
  jar.store(headers)
end

function done(summary_, latency, requests)
  jar.report(threads)
end
