/* Made by tls-fixtures.sh: test material, do not edit. */
static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnzCCAUWgAwIBAgIUCAvatNm6mT4XawRJ+QsDg2IlQ3UwCgYIKoZIzj0EAwIw\n"
    "HDEaMBgGA1UEAwwRdHJ1c3RsaW5rIHFlbXUgQ0EwIBcNMjYxMjAyMTI1MTU2WhgP\n"
    "MjEyNjExMDgxMjUxNTZaMBwxGjAYBgNVBAMMEXRydXN0bGluayBxZW11IENBMFkw\n"
    "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBVsT34ZwxsoN+48is3RiWl6RcaW/SYr\n"
    "tMb5uYs1Bsi5Vf8YIDKBp8ckty879RBTsKSnvtdWpjnW9NpKLJaOz6NjMGEwHQYD\n"
    "VR0OBBYEFHlhSDpaRCEkeqC5VmoyMW4bobgIMB8GA1UdIwQYMBaAFHlhSDpaRCEk\n"
    "eqC5VmoyMW4bobgIMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgIEMAoG\n"
    "CCqGSM49BAMCA0gAMEUCIQC0wjZGDRa4bamo4AzNltPTNsWq3sLmW97/5u+UKtdj\n"
    "rAIgJk337dfFexpQPbS2kncH8Mzc+VODsFaboZ7BNFePP/k=\n"
    "-----END CERTIFICATE-----\n"
;
static const char leaf_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjTCCATOgAwIBAgICEAEwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRdHJ1c3Rs\n"
    "aW5rIHFlbXUgQ0EwHhcNMjUwNjAxMDAwMDAwWhcNMzUwNjAxMDAwMDAwWjAUMRIw\n"
    "EAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR8schJ\n"
    "4N9xL2RbfbOaiMUONPW+9eYvIWXsUB13je8BU7O+UTfN8UCtPZZS94O+1CsMZpQ1\n"
    "z0e6Gns5mFIeKj6Go20wazAUBgNVHREEDTALgglsb2NhbGhvc3QwEwYDVR0lBAww\n"
    "CgYIKwYBBQUHAwEwHQYDVR0OBBYEFJi1hW5thvc9jxGBBtUTB5inGTe0MB8GA1Ud\n"
    "IwQYMBaAFHlhSDpaRCEkeqC5VmoyMW4bobgIMAoGCCqGSM49BAMCA0gAMEUCIQC4\n"
    "sADDLnhNoLbcAxAz0t0pxZCD2SeQwkhjVrA84F8gIQIgROB8AYdD+kvy4Qt3EzyQ\n"
    "1UZ7Vt6HQWKUZMpVik+aJP8=\n"
    "-----END CERTIFICATE-----\n"
;
static const char old_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjjCCATOgAwIBAgICEAIwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRdHJ1c3Rs\n"
    "aW5rIHFlbXUgQ0EwHhcNMjAwMTAxMDAwMDAwWhcNMjEwMTAxMDAwMDAwWjAUMRIw\n"
    "EAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR8schJ\n"
    "4N9xL2RbfbOaiMUONPW+9eYvIWXsUB13je8BU7O+UTfN8UCtPZZS94O+1CsMZpQ1\n"
    "z0e6Gns5mFIeKj6Go20wazAUBgNVHREEDTALgglsb2NhbGhvc3QwEwYDVR0lBAww\n"
    "CgYIKwYBBQUHAwEwHQYDVR0OBBYEFJi1hW5thvc9jxGBBtUTB5inGTe0MB8GA1Ud\n"
    "IwQYMBaAFHlhSDpaRCEkeqC5VmoyMW4bobgIMAoGCCqGSM49BAMCA0kAMEYCIQDH\n"
    "0n35ycwHL1nMAVr1flN05SLWsFo1Ir47NXJxcYCKYgIhAJS1Sa4o6kanGG9OatzV\n"
    "mDZAzzGOp3n4i3OprPpajNpA\n"
    "-----END CERTIFICATE-----\n"
;
static const char key_sec1_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIP5ma0qwvJR372LSPUCPNIX4spMdXl2AQOMdIpEP54QMoAoGCCqGSM49\n"
    "AwEHoUQDQgAEfLHISeDfcS9kW32zmojFDjT1vvXmLyFl7FAdd43vAVOzvlE3zfFA\n"
    "rT2WUveDvtQrDGaUNc9Huhp7OZhSHio+hg==\n"
    "-----END EC PRIVATE KEY-----\n"
;
static const char key_pkcs8_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/mZrSrC8lHfvYtI9\n"
    "QI80hfiykx1eXYBA4x0ikQ/nhAyhRANCAAR8schJ4N9xL2RbfbOaiMUONPW+9eYv\n"
    "IWXsUB13je8BU7O+UTfN8UCtPZZS94O+1CsMZpQ1z0e6Gns5mFIeKj6G\n"
    "-----END PRIVATE KEY-----\n"
;
static const char key_p384_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIGkAgEBBDD+lA+dMecs+0OOmtEMlHtcQseNCxS25lhFmgYSg9hV5O8DHqJ+U8PB\n"
    "1gBqiXpV00OgBwYFK4EEACKhZANiAATMnomWRL9INfxn4R0EiHTVQqJ1wKmpjtGv\n"
    "ORvHVTTqQYboLMo1cdixc26ArdHkJlVIMAsaP7rIGKStQ7wp7UihF5a2V+gAgiOk\n"
    "xLlkxHumZT5SO4gppJHBYsA/tQrBpZg=\n"
    "-----END EC PRIVATE KEY-----\n"
;
static const unsigned char key_scalar[] = {
    0xfe, 0x66, 0x6b, 0x4a, 0xb0, 0xbc, 0x94, 0x77, 0xef, 0x62, 0xd2, 0x3d,
    0x40, 0x8f, 0x34, 0x85, 0xf8, 0xb2, 0x93, 0x1d, 0x5e, 0x5d, 0x80, 0x40,
    0xe3, 0x1d, 0x22, 0x91, 0x0f, 0xe7, 0x84, 0x0c,
};
static const unsigned char key_pub[] = {
    0x7c, 0xb1, 0xc8, 0x49, 0xe0, 0xdf, 0x71, 0x2f, 0x64, 0x5b, 0x7d, 0xb3,
    0x9a, 0x88, 0xc5, 0x0e, 0x34, 0xf5, 0xbe, 0xf5, 0xe6, 0x2f, 0x21, 0x65,
    0xec, 0x50, 0x1d, 0x77, 0x8d, 0xef, 0x01, 0x53, 0xb3, 0xbe, 0x51, 0x37,
    0xcd, 0xf1, 0x40, 0xad, 0x3d, 0x96, 0x52, 0xf7, 0x83, 0xbe, 0xd4, 0x2b,
    0x0c, 0x66, 0x94, 0x35, 0xcf, 0x47, 0xba, 0x1a, 0x7b, 0x39, 0x98, 0x52,
    0x1e, 0x2a, 0x3e, 0x86,
};
/* Certificate lengths (DER). */
#define CA_DER_LEN 419
#define LEAF_DER_LEN 401
#define OLD_DER_LEN 402
