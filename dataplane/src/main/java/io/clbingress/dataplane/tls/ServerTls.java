package io.clbingress.dataplane.tls;

import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;

/**
 * What a TLS server starts with: its certificates and TLS settings (later changed through
 * {@code updateSSLOptions}) and the engine that does the TLS work (fixed for its life).
 */
public record ServerTls(ServerSSLOptions options, SSLEngineOptions engine) {

  /** Puts these settings on a server's options. */
  public <T extends NetServerOptions> T applyTo(T server) {
    server.setSsl(true)
        .setSslEngineOptions(engine)
        .setSni(options.isSni())
        .setKeyCertOptions(options.getKeyCertOptions())
        .setEnabledSecureTransportProtocols(options.getEnabledSecureTransportProtocols())
        .setClientAuth(options.getClientAuth())
        .setTrustOptions(options.getTrustOptions());
    return server;
  }
}
