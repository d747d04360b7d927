#!/usr/bin/env python3
"""Opens the review page of each invitation once, as the respondent's browser would before pressing 回答を送信する,
and writes "TOKEN REQUEST-VERIFICATION-TOKEN" lines for submit.lua plus the antiforgery cookie they share.

  prepare_submits.py BASE_URL tokens.txt FIRST COUNT OUT/submits.txt OUT/cookie.txt
"""
import concurrent.futures, http.client, re, sys, urllib.parse

base, tokens_path, first, count, out_path, cookie_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
url = urllib.parse.urlsplit(base)
tokens = open(tokens_path).read().split()[first:first + count]
rvt = re.compile(r'name="__RequestVerificationToken" type="hidden" value="([^"]+)"')

def get(conn, token, cookie):
    conn.request("GET", f"/a/{token}/review", headers={"Cookie": cookie} if cookie else {})
    r = conn.getresponse()
    body = r.read().decode()
    if r.status != 200:
        raise SystemExit(f"GET /a/{token}/review: {r.status}")
    return r, rvt.search(body).group(1)

# One antiforgery cookie for all (a cookie is per browser, the form token per page and invitation).
conn = http.client.HTTPConnection(url.hostname, url.port)
r, _ = get(conn, tokens[0], None)
cookie = next(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("shirabe-af="))

def work(chunk):
    c = http.client.HTTPConnection(url.hostname, url.port)
    return [(t, get(c, t, cookie)[1]) for t in chunk]

chunks = [tokens[i::4] for i in range(4)]
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    results = [pair for part in pool.map(work, chunks) for pair in part]
with open(out_path, "w") as out:
    out.write("".join(f"{t} {v}\n" for t, v in results))
with open(cookie_path, "w") as out:
    out.write(cookie + "\n")
