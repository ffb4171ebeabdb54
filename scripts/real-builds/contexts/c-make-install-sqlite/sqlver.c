/* Prints the SQLite library version and runs one query: it works only if
 * the runtime library (libsqlite3-0) is still in the image. */
#include <sqlite3.h>
#include <stdio.h>

int main(void) {
    sqlite3 *db;
    sqlite3_stmt *stmt;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    if (sqlite3_prepare_v2(db, "SELECT 6 * 7", -1, &stmt, NULL) != SQLITE_OK) return 1;
    if (sqlite3_step(stmt) != SQLITE_ROW) return 1;
    printf("sqlite %s answer %d\n", sqlite3_libversion(), sqlite3_column_int(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return 0;
}
