-- A valid post of the first step, as htmx sends it (a browser with JavaScript): the
-- practice chosen, the draft written, the next step's fragment answered (200).
-- Arguments: the practice's id, then per thread "<cookies>" of a browser that made its
-- draft (bench/run.py makes one per thread: the draft's response sets two cookies, and
-- wrk's Lua sees only the last header of a name).  Each thread first GETs the page, as
-- the browser would, to read its CSRF token from the form; then it posts.
package.path = package.path .. ";bench/wrk/?.lua"
local jar = require("jar")
statuses, sent = jar.statuses, jar.sent
local threads = {}
local practice, token = nil, nil

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  practice = args[1]
  jar.seed(args[1 + id])
end

function request()
  local headers = {["Accept-Language"] = "en-US,en;q=0.9"}
  local cookie = jar.cookie()
  if cookie ~= "" then headers["Cookie"] = cookie end
  if token == nil then   -- uncompressed: the token is read from the body
    jar.sent.get = (jar.sent.get or 0) + 1
    return wrk.format("GET", "/enroll/practice", headers)
  end
  headers["Accept-Encoding"] = "gzip, deflate, br"
  headers["HX-Request"] = "true"
  headers["HX-Current-URL"] = "http://127.0.0.1/enroll/practice"
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  jar.sent.post = (jar.sent.post or 0) + 1
  local body = "csrf_token=" .. token .. "&practice=" .. practice .. "&action=next"
  return wrk.format("POST", "/enroll/practice", headers, body)
end

function response(status, headers, body)
  jar.count(status)
  jar.store(headers)
  if token == nil and status == 200 then
    token = string.match(body, 'name="csrf_token"[^>]-value="([^"]+)"')
  end
end

function done(summary_, latency, requests)
  jar.report(threads)
end
