/*
 * clbcrypto: the private-key operations of TLS handshakes (a signature per full handshake, an RSA
 * decryption for RSA key exchange) done by the system's OpenSSL 3 libcrypto instead of the
 * BoringSSL bundled in netty-tcnative. OpenSSL 3 signs RSA-2048 about three times as fast where the
 * CPU has AVX-512 IFMA (its RSAZ code); BoringSSL has no such path.
 *
 * libcrypto.so.3 is opened with dlopen(RTLD_LOCAL) and every function is looked up by dlsym, so
 * that its symbols never meet the BoringSSL ones already in the process, and the library builds
 * without OpenSSL's headers (the few declarations needed are below, from OpenSSL 3.0's public
 * API). The Java side is io.clbingress.dataplane.tls.Libcrypto.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;

/* OpenSSL 3.0: include/openssl/rsa.h */
#define CLB_RSA_PKCS1_PADDING 1
#define CLB_RSA_NO_PADDING 3
#define CLB_RSA_PKCS1_PSS_PADDING 6
#define CLB_RSA_PSS_SALTLEN_DIGEST -1

/* OpenSSL 3.0: include/openssl/crypto.h */
#define CLB_OPENSSL_INIT_NO_ATEXIT 0x00080000L

static struct {
  int (*OPENSSL_init_crypto)(uint64_t, const void *);
  const char *(*OpenSSL_version)(int);
  unsigned long (*OpenSSL_version_num)(void);
  EVP_PKEY *(*d2i_AutoPrivateKey)(EVP_PKEY **, const unsigned char **, long);
  void (*EVP_PKEY_free)(EVP_PKEY *);
  int (*EVP_PKEY_get_size)(const EVP_PKEY *);
  EVP_MD *(*EVP_MD_fetch)(void *, const char *, const char *);
  EVP_MD_CTX *(*EVP_MD_CTX_new)(void);
  void (*EVP_MD_CTX_free)(EVP_MD_CTX *);
  int (*EVP_DigestSignInit)(EVP_MD_CTX *, EVP_PKEY_CTX **, const EVP_MD *, ENGINE *, EVP_PKEY *);
  int (*EVP_DigestSign)(EVP_MD_CTX *, unsigned char *, size_t *, const unsigned char *, size_t);
  int (*EVP_PKEY_CTX_set_rsa_padding)(EVP_PKEY_CTX *, int);
  int (*EVP_PKEY_CTX_set_rsa_pss_saltlen)(EVP_PKEY_CTX *, int);
  EVP_PKEY_CTX *(*EVP_PKEY_CTX_new)(EVP_PKEY *, ENGINE *);
  void (*EVP_PKEY_CTX_free)(EVP_PKEY_CTX *);
  int (*EVP_PKEY_decrypt_init)(EVP_PKEY_CTX *);
  int (*EVP_PKEY_decrypt)(EVP_PKEY_CTX *, unsigned char *, size_t *, const unsigned char *, size_t);
  unsigned long (*ERR_peek_last_error)(void);
  void (*ERR_error_string_n)(unsigned long, char *, size_t);
  void (*ERR_clear_error)(void);
} lib;

/* Digests by the index Libcrypto.java passes: SHA-1, SHA-256, SHA-384, SHA-512. */
static EVP_MD *digests[4];

static void throw_exception(JNIEnv *env, const char *class_name, const char *what) {
  char message[512];
  unsigned long code = lib.ERR_peek_last_error ? lib.ERR_peek_last_error() : 0;
  if (code != 0) {
    char reason[256];
    lib.ERR_error_string_n(code, reason, sizeof(reason));
    lib.ERR_clear_error();
    snprintf(message, sizeof(message), "%s: %s", what, reason);
  } else {
    snprintf(message, sizeof(message), "%s", what);
  }
  jclass type = (*env)->FindClass(env, class_name);
  if (type != NULL) {
    (*env)->ThrowNew(env, type, message);
  }
}

#define LOOKUP(name)                                                             \
  do {                                                                           \
    *(void **)(&lib.name) = dlsym(handle, #name);                                \
    if (lib.name == NULL) {                                                      \
      snprintf(missing, sizeof(missing), "%s has no symbol %s", soname, #name); \
      goto fail;                                                                 \
    }                                                                            \
  } while (0)

/* Opens the library and looks everything up; returns OpenSSL_version(OPENSSL_VERSION). */
JNIEXPORT jstring JNICALL Java_io_clbingress_dataplane_tls_Libcrypto_open(JNIEnv *env, jclass type,
                                                                           jstring jsoname) {
  char missing[256];
  const char *soname = (*env)->GetStringUTFChars(env, jsoname, NULL);
  if (soname == NULL) {
    return NULL;
  }
  void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    snprintf(missing, sizeof(missing), "%s", dlerror());
    goto fail;
  }
  LOOKUP(OPENSSL_init_crypto);
  LOOKUP(OpenSSL_version);
  LOOKUP(OpenSSL_version_num);
  LOOKUP(d2i_AutoPrivateKey);
  LOOKUP(EVP_PKEY_free);
  LOOKUP(EVP_PKEY_get_size);
  LOOKUP(EVP_MD_fetch);
  LOOKUP(EVP_MD_CTX_new);
  LOOKUP(EVP_MD_CTX_free);
  LOOKUP(EVP_DigestSignInit);
  LOOKUP(EVP_DigestSign);
  LOOKUP(EVP_PKEY_CTX_set_rsa_padding);
  LOOKUP(EVP_PKEY_CTX_set_rsa_pss_saltlen);
  LOOKUP(EVP_PKEY_CTX_new);
  LOOKUP(EVP_PKEY_CTX_free);
  LOOKUP(EVP_PKEY_decrypt_init);
  LOOKUP(EVP_PKEY_decrypt);
  LOOKUP(ERR_peek_last_error);
  LOOKUP(ERR_error_string_n);
  LOOKUP(ERR_clear_error);
  /*
   * Without its exit handler: at the JVM's exit an event loop may still be signing, or the Cleaner
   * freeing a key, and OpenSSL's cleanup would free what they use under them.
   */
  if (lib.OPENSSL_init_crypto(CLB_OPENSSL_INIT_NO_ATEXIT, NULL) != 1) {
    snprintf(missing, sizeof(missing), "%s did not initialise", soname);
    goto fail;
  }
  if (lib.OpenSSL_version_num() < 0x30000000UL) {
    snprintf(missing, sizeof(missing), "%s is %s, not OpenSSL 3", soname, lib.OpenSSL_version(0));
    goto fail;
  }
  static const char *names[4] = {"SHA1", "SHA256", "SHA384", "SHA512"};
  for (int i = 0; i < 4; i++) {
    digests[i] = lib.EVP_MD_fetch(NULL, names[i], NULL);
    if (digests[i] == NULL) {
      snprintf(missing, sizeof(missing), "%s has no digest %s", soname, names[i]);
      goto fail;
    }
  }
  (*env)->ReleaseStringUTFChars(env, jsoname, soname);
  return (*env)->NewStringUTF(env, lib.OpenSSL_version(0));

fail:
  memset(&lib, 0, sizeof(lib));
  (*env)->ReleaseStringUTFChars(env, jsoname, soname);
  throw_exception(env, "java/lang/UnsatisfiedLinkError", missing);
  return NULL;
}

/* Copies a Java byte[] to malloc'd memory; NULL (with an exception pending) on failure. */
static unsigned char *copy_in(JNIEnv *env, jbyteArray array, jsize *length) {
  *length = (*env)->GetArrayLength(env, array);
  unsigned char *copy = malloc(*length > 0 ? (size_t)*length : 1);
  if (copy == NULL) {
    throw_exception(env, "java/lang/OutOfMemoryError", "clbcrypto: malloc");
    return NULL;
  }
  (*env)->GetByteArrayRegion(env, array, 0, *length, (jbyte *)copy);
  return copy;
}

/* Frees what copy_in or an operation filled, wiping it first (keys, premaster secrets). */
static void wipe_and_free(unsigned char *bytes, size_t length) {
  if (bytes != NULL) {
    explicit_bzero(bytes, length);
    free(bytes);
  }
}

/* A DER private key (PKCS#8, or the traditional RSA/EC form) as an EVP_PKEY pointer. */
JNIEXPORT jlong JNICALL Java_io_clbingress_dataplane_tls_Libcrypto_parsePrivateKey(JNIEnv *env, jclass type,
                                                                                   jbyteArray der) {
  jsize length;
  unsigned char *bytes = copy_in(env, der, &length);
  if (bytes == NULL) {
    return 0;
  }
  lib.ERR_clear_error();
  const unsigned char *cursor = bytes;
  EVP_PKEY *key = lib.d2i_AutoPrivateKey(NULL, &cursor, length);
  wipe_and_free(bytes, (size_t)length);
  if (key == NULL) {
    throw_exception(env, "java/security/InvalidKeyException", "libcrypto cannot read the private key");
  }
  return (jlong)(intptr_t)key;
}

JNIEXPORT void JNICALL Java_io_clbingress_dataplane_tls_Libcrypto_freePrivateKey(JNIEnv *env, jclass type,
                                                                                 jlong key) {
  lib.EVP_PKEY_free((EVP_PKEY *)(intptr_t)key);
}

static jbyteArray copy_out(JNIEnv *env, const unsigned char *bytes, size_t length) {
  jbyteArray array = (*env)->NewByteArray(env, (jsize)length);
  if (array != NULL) {
    (*env)->SetByteArrayRegion(env, array, 0, (jsize)length, (const jbyte *)bytes);
  }
  return array;
}

/*
 * One private-key operation: writes at most *out_length bytes to out from in, sets *out_length;
 * returns NULL, or what failed (then the OpenSSL error queue says why).
 */
typedef const char *(*operation)(EVP_PKEY *key, const void *parameters, unsigned char *out, size_t *out_length,
                                 const unsigned char *in, size_t in_length);

/* Runs an operation with the key over a Java byte[]; its result, or NULL with an exception pending. */
static jbyteArray run(JNIEnv *env, jlong key, operation op, const void *parameters, jbyteArray input) {
  EVP_PKEY *pkey = (EVP_PKEY *)(intptr_t)key;
  jsize length;
  unsigned char *in = copy_in(env, input, &length);
  if (in == NULL) {
    return NULL;
  }
  jbyteArray result = NULL;
  size_t size = (size_t)lib.EVP_PKEY_get_size(pkey);
  size_t out_length = size;
  unsigned char *out = malloc(size);
  lib.ERR_clear_error();
  if (out == NULL) {
    throw_exception(env, "java/lang/OutOfMemoryError", "clbcrypto: malloc");
  } else {
    const char *failed = op(pkey, parameters, out, &out_length, in, (size_t)length);
    if (failed != NULL) {
      throw_exception(env, "javax/net/ssl/SSLException", failed);
    } else {
      result = copy_out(env, out, out_length);
    }
  }
  wipe_and_free(out, size);
  wipe_and_free(in, (size_t)length);
  return result;
}

struct signature_parameters {
  const EVP_MD *digest; /* NULL for none (Ed25519) */
  int pss;
};

static const char *sign(EVP_PKEY *key, const void *parameters, unsigned char *out, size_t *out_length,
                        const unsigned char *in, size_t in_length) {
  const struct signature_parameters *p = parameters;
  const char *failed = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  EVP_MD_CTX *md = lib.EVP_MD_CTX_new();
  if (md == NULL) {
    failed = "libcrypto EVP_MD_CTX_new";
  } else if (lib.EVP_DigestSignInit(md, &pctx, p->digest, NULL, key) != 1) {
    failed = "libcrypto EVP_DigestSignInit";
  } else if (p->pss && (lib.EVP_PKEY_CTX_set_rsa_padding(pctx, CLB_RSA_PKCS1_PSS_PADDING) != 1
                        || lib.EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, CLB_RSA_PSS_SALTLEN_DIGEST) != 1)) {
    failed = "libcrypto RSA-PSS parameters";
  } else if (lib.EVP_DigestSign(md, out, out_length, in, in_length) != 1) {
    failed = "libcrypto EVP_DigestSign";
  }
  lib.EVP_MD_CTX_free(md);
  return failed;
}

static const char *decrypt(EVP_PKEY *key, const void *parameters, unsigned char *out, size_t *out_length,
                           const unsigned char *in, size_t in_length) {
  const char *failed = NULL;
  EVP_PKEY_CTX *pctx = lib.EVP_PKEY_CTX_new(key, NULL);
  if (pctx == NULL) {
    failed = "libcrypto EVP_PKEY_CTX_new";
  } else if (lib.EVP_PKEY_decrypt_init(pctx) != 1 || lib.EVP_PKEY_CTX_set_rsa_padding(pctx, CLB_RSA_NO_PADDING) != 1
             || lib.EVP_PKEY_decrypt(pctx, out, out_length, in, in_length) != 1) {
    failed = "libcrypto RSA decryption";
  }
  lib.EVP_PKEY_CTX_free(pctx);
  return failed;
}

/*
 * Signs input with the key: digest is an index into digests (or -1 for none, Ed25519), pss picks
 * RSASSA-PSS with a salt as long as the digest (TLS 1.3, RFC 8446 section 4.2.3) over PKCS#1 v1.5.
 */
JNIEXPORT jbyteArray JNICALL Java_io_clbingress_dataplane_tls_Libcrypto_sign(JNIEnv *env, jclass type, jlong key,
                                                                            jint digest, jboolean pss,
                                                                            jbyteArray input) {
  if (digest < -1 || digest > 3) {
    throw_exception(env, "java/lang/IllegalArgumentException", "clbcrypto: no such digest");
    return NULL;
  }
  struct signature_parameters parameters = {digest < 0 ? NULL : digests[digest], pss == JNI_TRUE};
  return run(env, key, sign, &parameters, input);
}

/* Raw RSA decryption (no padding), what BoringSSL's SSL_PRIVATE_KEY_METHOD decrypt must return. */
JNIEXPORT jbyteArray JNICALL Java_io_clbingress_dataplane_tls_Libcrypto_decrypt(JNIEnv *env, jclass type,
                                                                               jlong key, jbyteArray input) {
  return run(env, key, decrypt, NULL, input);
}
