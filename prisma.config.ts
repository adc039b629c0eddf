// Prisma CLI configuration. The bot applies migrations itself (src/db/migrate.ts);
// this file lets `prisma generate` and, on machines that can download the schema
// engine, `prisma migrate deploy` find the schema, the migrations and the database.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/release_conductor' },
});
