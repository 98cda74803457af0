// duckdb.mjs - one DuckDB connection for the checkers' metadata queries.
import { DuckDBInstance } from '@duckdb/node-api';

// A SQL string literal.
export const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;

export async function openDuckDB() {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // parquet_metadata() renders TIMESTAMP WITH TIME ZONE statistics in the
  // session time zone; UTC makes them "... +00".
  await conn.run("SET TimeZone = 'UTC'");
  return {
    conn,
    // Rows as objects, values in DuckDB's JSON form (BIGINT as strings).
    async rows(sql) {
      const reader = await conn.runAndReadAll(sql);
      return reader.getRowObjectsJson();
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
