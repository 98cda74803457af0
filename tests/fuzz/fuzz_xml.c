/*
 * fuzz_xml - libFuzzer target for the reader of S3's XML answers
 * (dsgi_xml_next): error documents, upload ids, listings. The input is a
 * server's reply, so anything may come.
 */
#include "sinks/s3_client.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size + 1);
    if (xml == NULL)
        return 0;
    memcpy(xml, data, size);
    xml[size] = '\0';
    static const char *const tags[] = {"Code", "Message", "Key", "UploadId", "ETag",
                                       "IsTruncated", "NextContinuationToken"};
    for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
        char out[256];
        size_t pos = 0;
        /* every match advances pos past its closing tag: at most size matches */
        for (size_t guard = 0; guard <= size && dsgi_xml_next(xml, &pos, tags[t], out, sizeof out); guard++) {
            if (strlen(out) >= sizeof out || pos > size)
                abort();
        }
    }
    char tiny[1];
    size_t pos = 0;
    dsgi_xml_next(xml, &pos, "Key", tiny, sizeof tiny);
    free(xml);
    return 0;
}
