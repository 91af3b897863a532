#!/usr/bin/env bash
# Generates migration <Name> for every database provider in one go, with dotnet ef (the local tool in
# .config/dotnet-tools.json). Each provider has its own migration set and model snapshot under
# src/B2BKpiApi/Data/Migrations/{Sqlite,Postgres,SqlServer}; change the model first, then run this.
# Review the generated files, then run MigrationSchemaTests and SqlServerMigrationTests.
#   scripts/add-migration.sh AddClientRegion
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:?usage: scripts/add-migration.sh <MigrationName>}
if [[ ! $name =~ ^[A-Z][A-Za-z0-9]*$ ]]; then
  echo "add-migration: the name must be a PascalCase C# identifier, such as AddClientRegion" >&2
  exit 2
fi

dotnet tool restore >/dev/null
# One build for the three runs: each provider's migration depends only on that provider's snapshot.
dotnet build src/B2BKpiApi -c Release -nologo -v quiet
for pair in sqlite:Sqlite postgres:Postgres sqlserver:SqlServer; do
  provider=${pair%%:*} folder=${pair#*:}
  echo "== $provider"
  dotnet ef migrations add "$name" --project src/B2BKpiApi --configuration Release --no-build \
    --output-dir "Data/Migrations/$folder" \
    -- --provider "$provider"
done
