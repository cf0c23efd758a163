package io.clbingress.dataplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fixed reasons of failed handshakes, from the messages the JDK engine and BoringSSL
 * (netty-tcnative) give (as Netty wraps them in a DecoderException); the listener tests see
 * cipher, not_tls and client_certificate happen for real.
 */
class HandshakeFailureTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "error:10000076:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER | cipher",
      "no cipher suites in common | cipher",
      "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL | protocol",
      "Client requested protocol TLSv1.1 is not enabled or supported in server context | protocol",
      "error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNRECOGNIZED_NAME | no_sni_match",
      "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE | certificate",
      "Received fatal alert: certificate_unknown | certificate",
      "error:1000007e:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE | client_certificate",
      "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED | client_certificate",
      "Empty client certificate chain | client_certificate",
      "error:10000100:SSL routines:OPENSSL_internal:DECODE_ERROR | other"})
  void messagesMapToTheirReason(String message, String reason) {
    assertThat(HandshakeFailure.of(new DecoderException(new SSLHandshakeException(message))).label()).isEqualTo(reason);
  }

  @Test
  void typesComeBeforeMessages() {
    assertThat(HandshakeFailure.of(new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
        .isEqualTo(HandshakeFailure.TIMEOUT);
    assertThat(HandshakeFailure.of(new DecoderException(new NotSslRecordException("not an SSL/TLS record: 474554"))))
        .isEqualTo(HandshakeFailure.NOT_TLS);
  }

  @Test
  void errorsThatAreNoTlsFailureAreNotCounted() {
    assertThat(HandshakeFailure.of(new IOException("Connection reset by peer"))).isNull();
  }
}
