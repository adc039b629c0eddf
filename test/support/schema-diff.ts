/**
 * Compares what schema.prisma describes with what the migrations built in a
 * real database: tables, columns, types, nullability, primary keys, unique
 * and plain indexes, foreign keys. Prisma's own parser (its WebAssembly build)
 * reads the schema, so the comparison follows Prisma's rules, not ours.
 */
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import type { SqlSession } from '../../src/db/database';

interface DmmfField {
  name: string;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  dbName?: string | null;
  isList: boolean;
  isRequired: boolean;
  nativeType: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: Array<{ name: string; dbName: string | null }>;
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: Array<{ name: string }>;
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: DmmfEnum[]; indexes: DmmfIndex[] };
}

/** One line per table/column/index/key; the two sides must have the same set. */
type Facts = Set<string>;

function scalarType(field: DmmfField, enums: DmmfEnum[]): string {
  if (field.kind === 'enum') {
    const found = enums.find((e) => e.name === field.type);
    return `${found?.dbName ?? field.type}${field.isList ? '[]' : ''}`;
  }
  const native = field.nativeType;
  const args = native?.[1] ?? [];
  let type: string;
  switch (native?.[0] ?? field.type) {
    case 'String':
    case 'Text':
      type = 'text';
      break;
    case 'VarChar':
      type = args.length ? `character varying(${args[0]})` : 'character varying';
      break;
    case 'Char':
      type = `character(${args[0] ?? 1})`;
      break;
    case 'Uuid':
      type = 'uuid';
      break;
    case 'Int':
    case 'Integer':
      type = 'integer';
      break;
    case 'SmallInt':
      type = 'smallint';
      break;
    case 'BigInt':
      type = 'bigint';
      break;
    case 'Boolean':
      type = 'boolean';
      break;
    case 'Float':
    case 'DoublePrecision':
      type = 'double precision';
      break;
    case 'Decimal':
      type = `numeric(${args[0] ?? 65},${args[1] ?? 30})`;
      break;
    case 'Json':
    case 'JsonB':
      type = 'jsonb';
      break;
    case 'Bytes':
      type = 'bytea';
      break;
    case 'DateTime':
      type = 'timestamp(3) without time zone';
      break;
    case 'Timestamp':
      type = `timestamp(${args[0] ?? 3}) without time zone`;
      break;
    case 'Timestamptz':
      type = `timestamp(${args[0] ?? 3}) with time zone`;
      break;
    case 'Date':
      type = 'date';
      break;
    default:
      type = `unsupported:${native?.[0] ?? field.type}`;
  }
  return `${type}${field.isList ? '[]' : ''}`;
}

/** What schema.prisma says the database holds. */
export function factsFromPrismaSchema(schemaText: string): Facts {
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: schemaText }))) as Dmmf;
  const { models, enums, indexes } = dmmf.datamodel;
  const facts: Facts = new Set();
  const tableOf = (modelName: string) => {
    const model = models.find((m) => m.name === modelName);
    return model?.dbName ?? modelName;
  };
  const columnOf = (modelName: string, fieldName: string) => {
    const field = models.find((m) => m.name === modelName)?.fields.find((f) => f.name === fieldName);
    return field?.dbName ?? fieldName;
  };
  for (const e of enums) facts.add(`enum ${e.dbName ?? e.name} (${e.values.map((v) => v.dbName ?? v.name).join(', ')})`);
  for (const model of models) {
    const table = tableOf(model.name);
    facts.add(`table ${table}`);
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields && field.relationFromFields.length > 0) {
          const from = field.relationFromFields.map((f) => columnOf(model.name, f)).join(', ');
          const to = (field.relationToFields ?? []).map((f) => columnOf(field.type, f)).join(', ');
          facts.add(`foreign key ${table}(${from}) -> ${tableOf(field.type)}(${to})`);
        }
        continue;
      }
      // Prisma Migrate creates list columns (`String[]`) without NOT NULL, whatever the DMMF says.
      const notNull = field.isRequired && !field.isList;
      facts.add(`column ${table}.${field.dbName ?? field.name} ${scalarType(field, enums)} ${notNull ? 'not null' : 'null'}`);
    }
  }
  for (const index of indexes) {
    if (index.type === 'fulltext') continue;
    const kind = index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : 'index';
    facts.add(`${kind} ${tableOf(index.model)}(${index.fields.map((f) => columnOf(index.model, f.name)).join(', ')})`);
  }
  return facts;
}

/** What the migrated database holds, in the same words (Prisma's bookkeeping table left out). */
export async function factsFromDatabase(sql: SqlSession, schema: string): Promise<Facts> {
  const facts: Facts = new Set();
  const enums = await sql.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname`,
    [schema],
  );
  for (const e of enums) facts.add(`enum ${e.name} (${e.labels.join(', ')})`);
  const columns = await sql.query<{ table: string; column: string; type: string; notnull: boolean }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  for (const col of columns) {
    facts.add(`table ${col.table}`);
    const type = col.type.replace(/^"(.*)"$/, '$1');
    facts.add(`column ${col.table}.${col.column} ${type} ${col.notnull ? 'not null' : 'null'}`);
  }
  const indexes = await sql.query<{ table: string; columns: string[]; primary: boolean; unique: boolean }>(
    `SELECT t.relname AS table, i.indisprimary AS primary, i.indisunique AS unique,
            array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname <> '_prisma_migrations'`,
    [schema],
  );
  for (const index of indexes) {
    const kind = index.primary ? 'primary key' : index.unique ? 'unique index' : 'index';
    facts.add(`${kind} ${index.table}(${index.columns.join(', ')})`);
  }
  const keys = await sql.query<{ table: string; columns: string[]; target: string; target_columns: string[] }>(
    `SELECT c.relname AS table, t.relname AS target,
            array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY x(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.attnum ORDER BY x.ord)::text[] AS columns,
            array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY x(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.attnum ORDER BY x.ord)::text[] AS target_columns
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class t ON t.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND k.contype = 'f'`,
    [schema],
  );
  for (const key of keys)
    facts.add(`foreign key ${key.table}(${key.columns.join(', ')}) -> ${key.target}(${key.target_columns.join(', ')})`);
  return facts;
}

/** Lines present on one side only, marked with the side that has them. */
export function diffFacts(prisma: Facts, database: Facts): string[] {
  const onlyPrisma = [...prisma].filter((f) => !database.has(f)).map((f) => `only in schema.prisma: ${f}`);
  const onlyDatabase = [...database].filter((f) => !prisma.has(f)).map((f) => `only in the migrated database: ${f}`);
  return [...onlyPrisma, ...onlyDatabase].sort();
}
