import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { diffFacts, factsFromDatabase, factsFromPrismaSchema } from '../support/schema-diff';

const schemaText = readFileSync(path.resolve(__dirname, '../../prisma/schema.prisma'), 'utf8');

describe('schema.prisma and the migrations describe the same database', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test.drop();
  });

  it('has the same tables, columns, types, nullability, keys and indexes', async () => {
    const database = await factsFromDatabase(test.db.sql, test.schema);
    expect(diffFacts(factsFromPrismaSchema(schemaText), database)).toEqual([]);
    expect([...database].filter((fact) => fact.startsWith('table '))).toEqual(
      expect.arrayContaining(['table audit_events', 'table handled_deliveries']),
    );
  });

  it('notices a field added to schema.prisma without a migration', async () => {
    const edited = schemaText.replace(/model AuditEvent \{/, 'model AuditEvent {\n  note String?');
    const database = await factsFromDatabase(test.db.sql, test.schema);
    expect(diffFacts(factsFromPrismaSchema(edited), database)).toEqual(['only in schema.prisma: column audit_events.note text null']);
  });

  it('notices a column made nullable by a migration but not in schema.prisma', async () => {
    await test.db.sql.exec('ALTER TABLE audit_events ALTER COLUMN actor DROP NOT NULL');
    try {
      const database = await factsFromDatabase(test.db.sql, test.schema);
      expect(diffFacts(factsFromPrismaSchema(schemaText), database)).toEqual([
        'only in schema.prisma: column audit_events.actor text not null',
        'only in the migrated database: column audit_events.actor text null',
      ]);
    } finally {
      await test.db.sql.exec('ALTER TABLE audit_events ALTER COLUMN actor SET NOT NULL');
    }
  });
});
