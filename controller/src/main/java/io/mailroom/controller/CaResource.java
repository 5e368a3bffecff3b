package io.mailroom.controller;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.tls.PemTls;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The client-certificate CA (what Dovecot's {@code ssl_ca} needs) and every issued certificate. */
@Path("/api/v1")
@Tag(name = "certificates")
public class CaResource {
    @Inject
    AccountStore store;
    @Inject
    Services services;

    @GET
    @Path("ca/certificate")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The CA certificate (PEM); the CA is created on first use")
    public String caCertificate() {
        return services.ca().certificatePem();
    }

    @GET
    @Path("ca/crl")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The certificate revocation list (PEM)")
    public String crl() {
        return services.ca().crlPem();
    }

    @GET
    @Path("certificates")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every user's current client certificate (public part, without PEM)")
    public List<Views.CertificateView> list() {
        List<Views.CertificateView> out = new ArrayList<>();
        for (var u : store.users(null, 0, Integer.MAX_VALUE)) {
            String address = u.address().toString();
            store.certificate(address).ifPresent(pem -> out.add(
                    Views.CertificateView.of(address, PemTls.certificates(pem).get(0), null)));
        }
        return out;
    }
}
