/**
 * Run before each test file (jest.config.js, setupFilesAfterEnv): this Jest
 * process's own database exists before the file's hooks open schemas in it
 * (see database.ts: advisory locks are per database, so files running at once
 * must not share one).
 */
/// <reference types="jest" />
import { ensureProcessDatabase } from './database';

beforeAll(() => ensureProcessDatabase());
