-- A valid post of the first step, as htmx sends it (a browser with JavaScript): the
-- practice chosen, the draft written, the next step's fragment answered (200).
-- Arguments: the practice's id, wrk's number of threads, then one
-- "<cookies>|<CSRF token>" per browser: each
-- has loaded the page (its session and token) and made its draft, as a patient's
-- browser has by then.  bench/run.py makes them before wrk starts, with a client that
-- keeps every cookie (a draft's first answer sets two, and wrk's Lua sees only the last
-- header of a name).  Each thread takes its share of the browsers and posts for them
-- in turn, each with that browser's cookies and token: each patient writes their own
-- draft, as in use.  (wrk does not tell which request an answer is for; no answer
-- here sets a cookie, and the count of those that would is reported: set_cookie.)
package.path = package.path .. ";bench/wrk/?.lua"
local jar = require("jar")
statuses, sent = jar.statuses, jar.sent
local threads = {}
local practice = nil
local browsers = {}
local turn = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  practice = args[1]
  local count = tonumber(args[2])
  for i = 3, #args do
    if (i - 3) % count == id - 1 then
      local cookie, token = string.match(args[i], "^(.*)|([^|]+)$")
      browsers[#browsers + 1] = {cookie = cookie, token = token}
    end
  end
end

function request()
  turn = turn % #browsers + 1
  local browser = browsers[turn]
  local headers = {["Accept-Encoding"] = "gzip, deflate, br",
                   ["Accept-Language"] = "en-US,en;q=0.9", ["Cookie"] = browser.cookie,
                   ["HX-Request"] = "true",
                   ["HX-Current-URL"] = "http://127.0.0.1/enroll/practice",
                   ["Content-Type"] = "application/x-www-form-urlencoded"}
  jar.sent.post = (jar.sent.post or 0) + 1
  local body = "csrf_token=" .. browser.token .. "&practice=" .. practice .. "&action=next"
  return wrk.format("POST", "/enroll/practice", headers, body)
end

function response(status, headers, body)
  jar.count(status)
  for key, _ in pairs(headers) do
    if string.lower(key) == "set-cookie" then
      jar.count("set_cookie")
    end
  end
end

function done(summary_, latency, requests)
  jar.report(threads)
end
