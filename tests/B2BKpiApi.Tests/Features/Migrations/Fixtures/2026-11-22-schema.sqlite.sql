CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE "Tenants" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Tenants" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Industry" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "ApiKeyId" TEXT NOT NULL,
    "ApiKeyHash" BLOB NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE UNIQUE INDEX "IX_Tenants_ApiKeyId" ON "Tenants" ("ApiKeyId");

CREATE TABLE "Clients" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Clients" PRIMARY KEY,
    "TenantId" TEXT NOT NULL,
    "ExternalId" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "AcquiredOn" TEXT NOT NULL,
    "ChurnedOn" TEXT NULL,
    "Industry" TEXT NULL,
    "Segment" TEXT NULL,
    CONSTRAINT "FK_Clients_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Clients_TenantId_AcquiredOn" ON "Clients" ("TenantId", "AcquiredOn");

CREATE INDEX "IX_Clients_TenantId_ChurnedOn" ON "Clients" ("TenantId", "ChurnedOn");

CREATE UNIQUE INDEX "IX_Clients_TenantId_ExternalId" ON "Clients" ("TenantId", "ExternalId");

CREATE TABLE "Contracts" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Contracts" PRIMARY KEY,
    "TenantId" TEXT NOT NULL,
    "ExternalId" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "ClientId" TEXT NOT NULL,
    "SignedOn" TEXT NOT NULL,
    "StartsOn" TEXT NOT NULL,
    "EndsOn" TEXT NOT NULL,
    "ValueMinor" INTEGER NOT NULL,
    "Currency" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    CONSTRAINT "FK_Contracts_Clients_ClientId" FOREIGN KEY ("ClientId") REFERENCES "Clients" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Contracts_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Contracts_ClientId" ON "Contracts" ("ClientId");

CREATE UNIQUE INDEX "IX_Contracts_TenantId_ExternalId" ON "Contracts" ("TenantId", "ExternalId");

CREATE INDEX "IX_Contracts_TenantId_SignedOn" ON "Contracts" ("TenantId", "SignedOn");

CREATE INDEX "IX_Contracts_TenantId_StartsOn_EndsOn" ON "Contracts" ("TenantId", "StartsOn", "EndsOn");

CREATE TABLE "Leads" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Leads" PRIMARY KEY,
    "TenantId" TEXT NOT NULL,
    "ExternalId" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "CreatedOn" TEXT NOT NULL,
    "QualifiedOn" TEXT NULL,
    "OpportunityOn" TEXT NULL,
    "ClosedOn" TEXT NULL,
    "Outcome" TEXT NULL,
    "DealValueMinor" INTEGER NULL,
    "Currency" TEXT NULL,
    "Source" TEXT NULL,
    CONSTRAINT "FK_Leads_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Leads_TenantId_ClosedOn" ON "Leads" ("TenantId", "ClosedOn");

CREATE INDEX "IX_Leads_TenantId_CreatedOn" ON "Leads" ("TenantId", "CreatedOn");

CREATE UNIQUE INDEX "IX_Leads_TenantId_ExternalId" ON "Leads" ("TenantId", "ExternalId");

CREATE INDEX "IX_Leads_TenantId_QualifiedOn" ON "Leads" ("TenantId", "QualifiedOn");

CREATE TABLE "Surveys" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Surveys" PRIMARY KEY,
    "TenantId" TEXT NOT NULL,
    "ExternalId" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "Score" INTEGER NOT NULL,
    "RespondedOn" TEXT NOT NULL,
    "ClientId" TEXT NULL,
    "RespondentRole" TEXT NULL,
    CONSTRAINT "FK_Surveys_Clients_ClientId" FOREIGN KEY ("ClientId") REFERENCES "Clients" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Surveys_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Surveys_ClientId" ON "Surveys" ("ClientId");

CREATE UNIQUE INDEX "IX_Surveys_TenantId_ExternalId" ON "Surveys" ("TenantId", "ExternalId");

CREATE INDEX "IX_Surveys_TenantId_Kind_RespondedOn" ON "Surveys" ("TenantId", "Kind", "RespondedOn");

CREATE TABLE "Costs" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Costs" PRIMARY KEY,
    "TenantId" TEXT NOT NULL,
    "ExternalId" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "Category" TEXT NOT NULL,
    "AmountMinor" INTEGER NOT NULL,
    "Currency" TEXT NOT NULL,
    "IncurredOn" TEXT NOT NULL,
    CONSTRAINT "FK_Costs_Tenants_TenantId" FOREIGN KEY ("TenantId") REFERENCES "Tenants" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_Costs_TenantId_ExternalId" ON "Costs" ("TenantId", "ExternalId");

CREATE INDEX "IX_Costs_TenantId_IncurredOn_Category" ON "Costs" ("TenantId", "IncurredOn", "Category");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122000000_Initial', '10.0.14');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "IdempotencyRecords" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_IdempotencyRecords" PRIMARY KEY,
    "Scope" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "RequestHash" BLOB NOT NULL,
    "StatusCode" INTEGER NULL,
    "ContentType" TEXT NULL,
    "Location" TEXT NULL,
    "Body" BLOB NULL,
    "CreatedAt" TEXT NOT NULL,
    "ExpiresAt" TEXT NOT NULL
);

CREATE INDEX "IX_IdempotencyRecords_ExpiresAt" ON "IdempotencyRecords" ("ExpiresAt");

CREATE UNIQUE INDEX "IX_IdempotencyRecords_Scope_Key" ON "IdempotencyRecords" ("Scope", "Key");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122010000_Idempotency', '10.0.14');

COMMIT;

