/*
 * test_arrow.c - Arrow C Data Interface import and export (lib/arrow) and
 * the user-data table writer (lib/run/user_writer.c), under the sanitizers.
 *
 * Arrays are built by hand from the specification's layouts (bitmaps,
 * offsets, views, dictionaries, slices through 'offset'), converted, and
 * checked value by value; malformed arrays must fail with DSG_ETYPE, never
 * crash. Independent readers check the written files in
 * tests/python/test_python_package.py.
 */
#include "dsg/dsg.h"
#include "test_util.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a tiny builder of Arrow structures (static memory, no release work) ---- */

static void noop_schema(struct ArrowSchema *s) { s->release = NULL; }
static void noop_array(struct ArrowArray *a) { a->release = NULL; }

static struct ArrowSchema schema(const char *format, const char *name, int64_t flags, int64_t n,
                                 struct ArrowSchema **children)
{
    struct ArrowSchema s = {format, name, NULL, flags, n, children, NULL, noop_schema, NULL};
    return s;
}

static struct ArrowArray array(int64_t length, int64_t nulls, int64_t offset, int64_t n_buffers, const void **buffers,
                               int64_t n_children, struct ArrowArray **children)
{
    struct ArrowArray a = {length, nulls, offset, n_buffers, n_children, buffers, children, NULL, noop_array, NULL};
    return a;
}

#define N 6 /* rows of the batch; the batch is a slice starting at row 1 of 7 */

int main(void)
{
    dsg_error err;
    dsg_error_clear(&err);

    /* int32 with nulls at physical slots 2 and 5 */
    static const int32_t i32[7] = {-1, 10, 0, 30, 40, 0, 60};
    static const uint8_t i32_valid[1] = {0xDB}; /* 1101 1011: slots 2 and 5 null */
    const void *b_i32[2] = {i32_valid, i32};
    /* bool bit-packed: 1,0,1,1,0,0,1 */
    static const uint8_t bools[1] = {0x4D};
    const void *b_bool[2] = {NULL, bools};
    /* utf8 */
    static const int32_t s_off[8] = {0, 1, 3, 3, 6, 6, 10, 11};
    static const char s_data[] = "abbcccdddde";
    const void *b_str[3] = {NULL, s_off, s_data};
    /* large_utf8 */
    static const int64_t ls_off[8] = {0, 0, 1, 2, 3, 4, 5, 6};
    static const char ls_data[] = "uvwxyz";
    const void *b_lstr[3] = {NULL, ls_off, ls_data};
    /* utf8_view: inline and out-of-line values */
    static const char long_data[] = "a string longer than twelve";
    uint8_t views[7][16];
    memset(views, 0, sizeof views);
    for (int i = 0; i < 7; i++) {
        int32_t len = i % 2 ? 27 : i, zero = 0;
        memcpy(views[i], &len, 4);
        if (len <= 12) {
            memcpy(views[i] + 4, "hello world!", (size_t)len);
        } else {
            memcpy(views[i] + 4, long_data, 4);
            memcpy(views[i] + 8, &zero, 4);
            memcpy(views[i] + 12, &zero, 4);
        }
    }
    static const int64_t view_sizes[1] = {27};
    const void *b_view[4] = {NULL, views, long_data, view_sizes};
    /* list<int16>: [], [1], [2,3], [], [4,5,6], [7], [8] */
    static const int32_t l_off[8] = {0, 0, 1, 3, 3, 6, 7, 8};
    static const int16_t l_vals[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const void *b_list[2] = {NULL, l_off};
    const void *b_lvals[2] = {NULL, l_vals};
    struct ArrowArray a_lvals = array(8, 0, 0, 2, b_lvals, 0, NULL);
    struct ArrowArray *list_children[1] = {&a_lvals};
    /* struct{x: int64} whose child is longer and offset by 2 */
    static const int64_t sx[9] = {-7, -7, 100, 101, 102, 103, 104, 105, 106};
    const void *b_sx[2] = {NULL, sx};
    const void *b_struct[1] = {NULL};
    struct ArrowArray a_sx = array(7, 0, 2, 2, b_sx, 0, NULL);
    struct ArrowArray *struct_children[1] = {&a_sx};
    /* dictionary<int8 -> utf8> */
    static const int8_t d_idx[7] = {0, 2, 1, 0, 2, 2, 1};
    static const int32_t d_off[4] = {0, 3, 6, 9};
    static const char d_data[] = "redgrnblu";
    const void *b_didx[2] = {NULL, d_idx};
    const void *b_dvals[3] = {NULL, d_off, d_data};
    struct ArrowArray a_dvals = array(3, 0, 0, 3, b_dvals, 0, NULL);
    /* decimal128(20, 2): values -1, 12345678901234567890 (as 16 bytes) */
    uint8_t dec[7][16];
    for (int i = 0; i < 7; i++) {
        int64_t lo = i % 2 ? -(int64_t)i : (int64_t)i * 1000000007LL, hi = lo < 0 ? -1 : 0;
        memcpy(dec[i], &lo, 8);
        memcpy(dec[i] + 8, &hi, 8);
    }
    const void *b_dec[2] = {NULL, dec};
    /* float16: 1.0, -2.0, 0.5, 65504, -0, inf, 2^-24 (subnormal) */
    static const uint16_t half[7] = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x8000, 0x7C00, 0x0001};
    const void *b_half[2] = {NULL, half};
    /* date64 ms: includes a negative value that must floor */
    static const int64_t d64[7] = {0, 86400000, -1, -86400000, 86400000 * 2 + 5, 0, 0};
    const void *b_d64[2] = {NULL, d64};
    /* timestamp[s] without zone */
    static const int64_t ts_s[7] = {0, 1, -1, 2, 3, 4, 5};
    const void *b_ts[2] = {NULL, ts_s};
    /* map<utf8, int32>: entries struct<key, value> */
    static const int32_t m_off[8] = {0, 1, 1, 3, 3, 3, 4, 4};
    static const int32_t mk_off[5] = {0, 1, 2, 3, 4};
    static const char mk_data[] = "kabc";
    static const int32_t mv[4] = {1, 2, 3, 4};
    const void *b_map[2] = {NULL, m_off};
    const void *b_mk[3] = {NULL, mk_off, mk_data};
    const void *b_mv[2] = {NULL, mv};
    const void *b_entries[1] = {NULL};
    struct ArrowArray a_mk = array(4, 0, 0, 3, b_mk, 0, NULL), a_mv = array(4, 0, 0, 2, b_mv, 0, NULL);
    struct ArrowArray *entry_children[2] = {&a_mk, &a_mv};
    struct ArrowArray a_entries = array(4, 0, 0, 1, b_entries, 2, entry_children);
    struct ArrowArray *map_children[1] = {&a_entries};
    /* null */
    const void **b_null = NULL;

    struct ArrowArray cols[13] = {
        array(7, 2, 0, 2, b_i32, 0, NULL),
        array(7, 0, 0, 2, b_bool, 0, NULL),
        array(7, 0, 0, 3, b_str, 0, NULL),
        array(7, 0, 0, 3, b_lstr, 0, NULL),
        array(7, 0, 0, 4, b_view, 0, NULL),
        array(7, 0, 0, 2, b_list, 1, list_children),
        array(7, 0, 0, 1, b_struct, 1, struct_children),
        array(7, 0, 0, 2, b_didx, 0, NULL),
        array(7, 0, 0, 2, b_dec, 0, NULL),
        array(7, 0, 0, 2, b_half, 0, NULL),
        array(7, 0, 0, 2, b_d64, 0, NULL),
        array(7, 0, 0, 2, b_map, 1, map_children),
        array(7, 7, 0, 0, b_null, 0, NULL),
    };
    cols[7].dictionary = &a_dvals;
    struct ArrowArray *col_ptrs[13];
    for (int i = 0; i < 13; i++)
        col_ptrs[i] = &cols[i];
    const void *b_top[1] = {NULL};
    struct ArrowArray batch = array(N, 0, 1, 1, b_top, 13, col_ptrs);
    (void)b_ts;

    struct ArrowSchema s_lval = schema("s", "item", ARROW_FLAG_NULLABLE, 0, NULL);
    struct ArrowSchema *s_list_ch[1] = {&s_lval};
    struct ArrowSchema s_x = schema("l", "x", 0, 0, NULL);
    struct ArrowSchema *s_struct_ch[1] = {&s_x};
    struct ArrowSchema s_dval = schema("u", "", 0, 0, NULL);
    struct ArrowSchema s_mk = schema("u", "key", 0, 0, NULL), s_mv = schema("i", "value", ARROW_FLAG_NULLABLE, 0, NULL);
    struct ArrowSchema *s_entry_ch[2] = {&s_mk, &s_mv};
    struct ArrowSchema s_entries = schema("+s", "entries", 0, 2, s_entry_ch);
    struct ArrowSchema *s_map_ch[1] = {&s_entries};
    struct ArrowSchema fields[13] = {
        schema("i", "i32", ARROW_FLAG_NULLABLE, 0, NULL),
        schema("b", "flag", 0, 0, NULL),
        schema("u", "str", 0, 0, NULL),
        schema("U", "lstr", 0, 0, NULL),
        schema("vu", "view", 0, 0, NULL),
        schema("+l", "list", 0, 1, s_list_ch),
        schema("+s", "st", 0, 1, s_struct_ch),
        schema("c", "dict", 0, 0, NULL),
        schema("d:20,2", "dec", 0, 0, NULL),
        schema("e", "half", 0, 0, NULL),
        schema("tdm", "d64", 0, 0, NULL),
        schema("+m", "map", 0, 1, s_map_ch),
        schema("n", "nothing", ARROW_FLAG_NULLABLE, 0, NULL),
    };
    fields[7].dictionary = &s_dval;
    struct ArrowSchema *field_ptrs[13];
    for (int i = 0; i < 13; i++)
        field_ptrs[i] = &fields[i];
    struct ArrowSchema top = schema("+s", "", 0, 13, field_ptrs);

    dsg_arrow_importer *imp = NULL;
    CHECKF(dsg_arrow_importer_create(&imp, &top, &err) == DSG_OK, "%s", err.message);
    size_t nf;
    const dsg_field *f = dsg_arrow_importer_fields(imp, &nf);
    CHECK(nf == 13);
    CHECK(f[0].type == DSG_INT32 && (f[0].flags & DSG_FIELD_NULLABLE));
    CHECK(f[3].type == DSG_STRING && f[4].type == DSG_STRING && f[5].type == DSG_LIST);
    CHECK(f[7].type == DSG_STRING && f[8].type == DSG_DECIMAL128 && f[8].precision == 20 && f[8].scale == 2);
    CHECK(f[9].type == DSG_FLOAT && f[10].type == DSG_DATE && f[11].type == DSG_MAP && f[12].type == DSG_NULL);
    CHECK(!(f[11].children[0].flags & DSG_FIELD_NULLABLE));

    const dsg_array *c;
    size_t rows;
    CHECKF(dsg_arrow_importer_convert(imp, &batch, &c, &rows, &err) == DSG_OK, "%s", err.message);
    CHECK(rows == N);
    /* row r of the batch is physical slot r + 1 */
    const int32_t *v32 = c[0].values;
    CHECK(v32[0] == 10 && c[0].valid[0] && !c[0].valid[1] && c[0].valid[2] && !c[0].valid[4] && v32[5] == 60);
    const uint8_t *bv = c[1].values;
    CHECK(bv[0] == 0 && bv[1] == 1 && bv[2] == 1 && bv[3] == 0 && bv[4] == 0 && bv[5] == 1);
    CHECK(c[2].offsets[0] == 1 && c[2].offsets[1] == 3 && memcmp(c[2].data + 1, "bb", 2) == 0);
    CHECK(c[3].offsets[0] == 0 && c[3].offsets[1] == 1 && c[3].data[c[3].offsets[1]] == 'v');
    for (int r = 0; r < N; r++) {
        int len = (r + 1) % 2 ? 27 : r + 1;
        CHECK(c[4].offsets[r + 1] - c[4].offsets[r] == len);
        CHECK(memcmp(c[4].data + c[4].offsets[r], len > 12 ? long_data : "hello world!", (size_t)len) == 0);
    }
    CHECK(c[5].offsets[0] == 0 && c[5].offsets[1] == 1 && c[5].offsets[2] == 3 && c[5].offsets[6] == 8);
    CHECK(((const int16_t *)c[5].children[0].values)[c[5].offsets[3]] == 4);
    CHECK(((const int64_t *)c[6].children[0].values)[0] == 101); /* struct offset 1 + child offset 2 */
    for (int r = 0; r < N; r++) {
        static const char *want[3] = {"red", "grn", "blu"};
        CHECK(memcmp(c[7].data + c[7].offsets[r], want[d_idx[r + 1]], 3) == 0);
    }
    CHECK(memcmp(c[8].values, dec[1], 16) == 0);
    const float *hf = c[9].values;
    CHECK(hf[0] == -2.0f && hf[1] == 0.5f && hf[2] == 65504.0f && hf[4] > 1e38f && hf[5] == 5.9604644775390625e-08f);
    const int32_t *dd = c[10].values;
    CHECK(dd[0] == 1 && dd[1] == -1 && dd[2] == -1 && dd[3] == 2);
    CHECK(c[11].offsets[0] == 1 && c[11].offsets[2] == 3 && c[11].children[0].data[c[11].offsets[1]] == 'a');
    CHECK(c[12].valid != NULL && c[12].valid[0] == 0 && c[12].valid[5] == 0);

    /* export and import again: the same values */
    struct ArrowSchema es;
    struct ArrowArray ea;
    CHECKF(dsg_arrow_export_schema(f, nf, &es, &err) == DSG_OK, "%s", err.message);
    CHECKF(dsg_arrow_export_array(f, nf, c, rows, &ea, &err) == DSG_OK, "%s", err.message);
    CHECK(strcmp(es.children[11]->format, "+m") == 0 && strcmp(es.children[8]->format, "d:20,2") == 0);
    dsg_arrow_importer *imp2 = NULL;
    CHECKF(dsg_arrow_importer_create(&imp2, &es, &err) == DSG_OK, "%s", err.message);
    const dsg_array *c2;
    size_t rows2;
    CHECKF(dsg_arrow_importer_convert(imp2, &ea, &c2, &rows2, &err) == DSG_OK, "%s", err.message);
    CHECK(rows2 == N && ((const int32_t *)c2[0].values)[5] == 60 && !c2[0].valid[1]);
    CHECK(memcmp(c2[4].data + c2[4].offsets[1], "hello", 2) == 0);
    CHECK(c2[11].offsets[3] - c2[11].offsets[2] == 0);
    dsg_arrow_importer_free(imp2);
    ea.release(&ea);
    es.release(&es);

    /* malformed arrays fail cleanly */
    struct ArrowArray bad = batch;
    bad.length = -1;
    CHECK(dsg_arrow_importer_convert(imp, &bad, &c, &rows, &err) == DSG_ETYPE);
    int32_t bad_off[8] = {0, 5, 3, 3, 6, 6, 10, 11};
    const void *b_bad[3] = {NULL, bad_off, s_data};
    struct ArrowArray saved = cols[2];
    cols[2].buffers = b_bad;
    CHECK(dsg_arrow_importer_convert(imp, &batch, &c, &rows, &err) == DSG_ETYPE && strstr(err.message, "str"));
    cols[2] = saved;
    int8_t bad_idx[7] = {0, 9, 1, 0, 2, 2, 1};
    const void *b_badidx[2] = {NULL, bad_idx};
    saved = cols[7];
    cols[7].buffers = b_badidx;
    CHECK(dsg_arrow_importer_convert(imp, &batch, &c, &rows, &err) == DSG_ETYPE);
    cols[7] = saved;
    saved = cols[4];
    int32_t far = 1000;
    memcpy(views[3] + 12, &far, 4);
    CHECK(dsg_arrow_importer_convert(imp, &batch, &c, &rows, &err) == DSG_ETYPE);
    far = 0;
    memcpy(views[3] + 12, &far, 4);
    cols[4] = saved;
    saved = cols[0];
    cols[0].n_buffers = 1;
    CHECK(dsg_arrow_importer_convert(imp, &batch, &c, &rows, &err) == DSG_ETYPE);
    cols[0] = saved;
    /* unsupported types name the column */
    struct ArrowSchema iv = schema("tin", "interval", 0, 0, NULL);
    struct ArrowSchema *ivp[1] = {&iv};
    struct ArrowSchema ivtop = schema("+s", "", 0, 1, ivp);
    dsg_arrow_importer *none = NULL;
    CHECK(dsg_arrow_importer_create(&none, &ivtop, &err) == DSG_ETYPE && strstr(err.message, "interval") &&
          strstr(err.message, "tin") && none == NULL);

    /* the table writer: partitions by 'str' (escaped), file cap 2 rows */
    CHECKF(dsg_arrow_importer_convert(imp, &batch, &c, &rows, &err) == DSG_OK, "%s", err.message);
    char dir[] = "/tmp/dsg-test-arrow-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    dsg_writer_options wo;
    dsg_writer_options_init(&wo);
    const char *parts[1] = {"dict"};
    wo.output = dir;
    wo.table = "t";
    wo.partition_by = parts;
    wo.n_partition_by = 1;
    wo.file_rows_target = 1;
    dsg_table_writer *tw = NULL;
    CHECKF(dsg_table_writer_open(&tw, &wo, f, nf, &err) == DSG_OK, "%s", err.message);
    CHECKF(dsg_table_writer_write(tw, c, rows, &err) == DSG_OK, "%s", err.message);
    dsg_run_stats st;
    CHECKF(dsg_table_writer_close(tw, &st, &err) == DSG_OK, "%s", err.message);
    dsg_table_writer_free(tw);
    CHECK(st.rows == N && st.files == N);
    char path[256];
    snprintf(path, sizeof path, "%s/t/dict=blu/part-00001.parquet", dir);
    CHECK(access(path, F_OK) == 0);
    /* create mode refuses the table now */
    tw = NULL;
    CHECK(dsg_table_writer_open(&tw, &wo, f, nf, &err) == DSG_EINVAL && tw == NULL);
    /* a bad partition column is bad input */
    parts[0] = "list";
    wo.mode = DSG_MODE_OVERWRITE;
    CHECK(dsg_table_writer_open(&tw, &wo, f, nf, &err) == DSG_EINVAL && strstr(err.message, "list"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);

    dsg_arrow_importer_free(imp);
    printf("test_arrow: ok\n");
    return 0;
}
