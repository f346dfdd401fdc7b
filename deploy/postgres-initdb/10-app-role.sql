-- Run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d), as the
-- superuser, when it initialises an empty data volume: the login role the api connects
-- as. It owns nothing; `talentcard init --app-role talentcard_app` (the compose one-shot)
-- grants it exactly what the service needs. The password is read from the Docker secret
-- by psql itself (no command line, no environment) and passed as a quoted literal.
\set app_password `cat /run/secrets/app_db_password`
CREATE ROLE talentcard_app LOGIN PASSWORD :'app_password';
