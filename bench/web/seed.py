#!/usr/bin/env python3
"""Seeds invitations for scripts/bench-web.sh and writes their tokens (the app stores only SHA-256 of a token).

  seed.py sqlite FILE    COUNT OUT/tokens.txt   inserts into the migrated SQLite file
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

# The survey is stored first (`shirabe survey add`): its series owns the organisations.
if provider == "sqlite":
    db = sqlite3.connect(target)
    series = db.execute('SELECT "SeriesId" FROM "Surveys" WHERE "Id" = \'sc3-2023\'').fetchone()[0]
    for code, h in rows:
        org = db.execute('INSERT INTO "Organisations" ("SeriesId","Code","Name","CreatedAt") VALUES (?,?,?,?)',
                         (series, code, "ベンチマーク団体" + code, now)).lastrowid
        inv = db.execute('INSERT INTO "Invitations" ("SurveyId","OrganisationId","CreatedAt") VALUES (\'sc3-2023\',?,?)',
                         (org, now)).lastrowid
        db.execute('INSERT INTO "AccessLinks" ("InvitationId","TokenHash","CreatedAt") VALUES (?,?,?)', (inv, h, now))
        db.execute('INSERT INTO "Drafts" ("InvitationId","Answers","Version","UpdatedAt") VALUES (?,?,1,?)', (inv, answers, now))
    db.commit()
    db.close()
else:
    w = sys.stdout.write
    w("BEGIN;\nCREATE TEMP TABLE seed (code text, hash bytea);\nCOPY seed FROM STDIN;\n")
    for code, h in rows:
        w(f"{code}\t\\\\x{h.hex()}\n")
    w("\\.\n")
    w(f"INSERT INTO \"Organisations\" (\"SeriesId\",\"Code\",\"Name\",\"CreatedAt\") SELECT (SELECT \"SeriesId\" FROM \"Surveys\" "
      f"WHERE \"Id\" = 'sc3-2023'), code, 'ベンチマーク団体' || code, '{now}+00' FROM seed;\n")
    w(f"INSERT INTO \"Invitations\" (\"SurveyId\",\"OrganisationId\",\"CreatedAt\") "
      f"SELECT 'sc3-2023', o.\"Id\", '{now}+00' FROM seed s JOIN \"Organisations\" o ON o.\"Code\" = s.code;\n")
    w(f"INSERT INTO \"AccessLinks\" (\"InvitationId\",\"TokenHash\",\"CreatedAt\") "
      f"SELECT i.\"Id\", s.hash, '{now}+00' FROM seed s JOIN \"Organisations\" o ON o.\"Code\" = s.code "
      f"JOIN \"Invitations\" i ON i.\"OrganisationId\" = o.\"Id\";\n")
    quoted = answers.replace("'", "''")
    w(f"INSERT INTO \"Drafts\" (\"InvitationId\",\"Answers\",\"Version\",\"UpdatedAt\") "
      f"SELECT i.\"Id\", '{quoted}', 1, '{now}+00' FROM \"Invitations\" i JOIN \"AccessLinks\" l ON l.\"InvitationId\" = i.\"Id\" "
      f"JOIN seed s ON s.hash = l.\"TokenHash\";\n")
    w("COMMIT;\nANALYZE;\n")
