#!/usr/bin/env python3
"""Seeds invitations for scripts/bench-web.sh and writes their tokens (the app stores only SHA-256 of a token).

  seed.py sqlite FILE    COUNT OUT/tokens.txt   inserts into the SQLite file (after `serve` has stored the survey)
  seed.py postgres -     COUNT OUT/tokens.txt   prints SQL for psql on stdout

Every invitation gets a draft holding reconstructed respondent R07's answers (version 1), so that a section page
shows filled-in answers and the review page can be submitted.
"""
import csv, hashlib, json, os, secrets, sqlite3, sys

provider, target, count, tokens_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(root, "surveys", "sc3-2023", "responses-2023.csv"), encoding="utf-8-sig", newline="") as f:
    row = next(r for r in csv.DictReader(f) if r["id"] == "R07")
cells = {k: v for k, v in sorted(row.items()) if k.startswith("q")}
answers = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
now = "2023-11-01 00:00:00"

tokens = [secrets.token_urlsafe(18) for _ in range(count)]
with open(tokens_path, "w") as out:
    out.write("\n".join(tokens) + "\n")
rows = [(f"B{i:06d}", hashlib.sha256(t.encode()).digest()) for i, t in enumerate(tokens)]

if provider == "sqlite":
    db = sqlite3.connect(target)
    db.execute("PRAGMA busy_timeout=10000")
    series, version = db.execute('SELECT s."SeriesId", s."PublishedVersionId" FROM "Surveys" s WHERE s."Id" = \'sc3-2023\'').fetchone()
    version = version or db.execute('SELECT max("Id") FROM "SurveyVersions" WHERE "SurveyId" = \'sc3-2023\'').fetchone()[0]
    db.executemany('INSERT INTO "Organisations" ("SeriesId","Code","Name","CreatedAt") VALUES (?,?,?,?)',
                   [(series, code, "ベンチマーク団体" + code, now) for code, _ in rows])
    db.execute('INSERT INTO "Invitations" ("OrganisationId","SurveyId","CreatedAt") '
               'SELECT "Id", \'sc3-2023\', ? FROM "Organisations" WHERE "Code" LIKE \'B%\' AND "SeriesId" = ?', (now, series))
    db.executemany('INSERT INTO "AccessLinks" ("InvitationId","TokenHash","CreatedAt") '
                   'SELECT i."Id", ?, ? FROM "Invitations" i JOIN "Organisations" o ON o."Id" = i."OrganisationId" '
                   'WHERE o."Code" = ? AND o."SeriesId" = ? AND i."SurveyId" = \'sc3-2023\'',
                   [(h, now, code, series) for code, h in rows])
    db.execute('INSERT INTO "Drafts" ("InvitationId","Answers","Version","UpdatedAt","SurveyVersionId") '
               'SELECT i."Id", ?, 1, ?, ? FROM "Invitations" i JOIN "Organisations" o ON o."Id" = i."OrganisationId" '
               'WHERE o."Code" LIKE \'B%\' AND i."SurveyId" = \'sc3-2023\'', (answers, now, version))
    db.commit()
    db.close()
else:
    w = sys.stdout.write
    w("BEGIN;\nCREATE TEMP TABLE seed (code text, hash bytea);\nCOPY seed FROM STDIN;\n")
    for code, h in rows:
        w(f"{code}\t\\\\x{h.hex()}\n")
    w("\\.\n")
    survey = "(SELECT \"SeriesId\" FROM \"Surveys\" WHERE \"Id\" = 'sc3-2023')"
    version = ("(SELECT coalesce(\"PublishedVersionId\", (SELECT max(v.\"Id\") FROM \"SurveyVersions\" v WHERE v.\"SurveyId\" = 'sc3-2023')) "
               "FROM \"Surveys\" WHERE \"Id\" = 'sc3-2023')")
    w(f"INSERT INTO \"Organisations\" (\"SeriesId\",\"Code\",\"Name\",\"CreatedAt\") "
      f"SELECT {survey}, code, 'ベンチマーク団体' || code, '{now}+00' FROM seed;\n")
    w(f"INSERT INTO \"Invitations\" (\"OrganisationId\",\"SurveyId\",\"CreatedAt\") "
      f"SELECT o.\"Id\", 'sc3-2023', '{now}+00' FROM seed s JOIN \"Organisations\" o ON o.\"Code\" = s.code AND o.\"SeriesId\" = {survey};\n")
    w(f"INSERT INTO \"AccessLinks\" (\"InvitationId\",\"TokenHash\",\"CreatedAt\") "
      f"SELECT i.\"Id\", s.hash, '{now}+00' FROM seed s JOIN \"Organisations\" o ON o.\"Code\" = s.code AND o.\"SeriesId\" = {survey} "
      f"JOIN \"Invitations\" i ON i.\"OrganisationId\" = o.\"Id\" AND i.\"SurveyId\" = 'sc3-2023';\n")
    quoted = answers.replace("'", "''")
    w(f"INSERT INTO \"Drafts\" (\"InvitationId\",\"Answers\",\"Version\",\"UpdatedAt\",\"SurveyVersionId\") "
      f"SELECT l.\"InvitationId\", '{quoted}', 1, '{now}+00', {version} FROM \"AccessLinks\" l JOIN seed s ON s.hash = l.\"TokenHash\";\n")
    w("COMMIT;\nANALYZE;\n")
