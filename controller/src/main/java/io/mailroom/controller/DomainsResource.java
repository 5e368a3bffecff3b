package io.mailroom.controller;

import io.mailroom.common.dkim.DomainKeys;
import io.mailroom.common.dns.DnsRecord;
import io.mailroom.common.dns.DnsRecords;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DomainRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Mail domains, their DKIM keys and the DNS records to publish for them. */
@Path("/api/v1/domains")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "domains")
public class DomainsResource {
    @Inject
    AccountStore store;
    @Inject
    DomainKeys domainKeys;
    @Inject
    Services services;

    @POST
    @Operation(summary = "Create a domain with new RSA-2048 and Ed25519 DKIM keys")
    public Response create(Views.NewDomain body) {
        Bodies.required(body);
        DomainRecord d = domainKeys.createDomain(Bodies.field(body.name(), "name"), body.dmarcPolicy());
        return Response.status(201).entity(Views.DomainView.of(d)).build();
    }

    @GET
    @Operation(summary = "List domains")
    public List<Views.DomainView> list() {
        return store.domains().stream().sorted(Comparator.comparing(DomainRecord::name)).map(Views.DomainView::of)
                .toList();
    }

    @GET
    @Path("{domain}")
    @Operation(summary = "A domain with its DKIM selectors")
    public Views.DomainView get(@PathParam("domain") String domain) {
        return Views.DomainView.of(store.requireDomain(domain));
    }

    @DELETE
    @Path("{domain}")
    @Operation(summary = "Delete a domain and its DKIM keys; refused (409) while it has users or aliases")
    public Response delete(@PathParam("domain") String domain) {
        domainKeys.deleteDomain(domain);
        return Response.noContent().build();
    }

    @POST
    @Path("{domain}/dkim/rotate")
    @Operation(summary = "New DKIM keys under new selectors sign from now on; the old selectors stay published")
    public Views.DomainView rotate(@PathParam("domain") String domain) {
        return Views.DomainView.of(domainKeys.rotate(domain));
    }

    @DELETE
    @Path("{domain}/dkim/{selector}")
    @Operation(summary = "Withdraw a retired DKIM selector and delete its private key")
    public Views.DomainView removeSelector(@PathParam("domain") String domain, @PathParam("selector") String selector) {
        return Views.DomainView.of(domainKeys.removeSelector(domain, selector));
    }

    @PUT
    @Path("{domain}/catch-all")
    @Operation(summary = "Deliver mail for unknown addresses of the domain to a local user")
    public Views.DomainView catchAll(@PathParam("domain") String domain, Views.CatchAll body) {
        Bodies.required(body);
        return Views.DomainView.of(store.setCatchAll(domain, Bodies.field(body.target(), "target")));
    }

    @DELETE
    @Path("{domain}/catch-all")
    @Operation(summary = "Remove the catch-all: unknown addresses are refused again")
    public Views.DomainView removeCatchAll(@PathParam("domain") String domain) {
        return Views.DomainView.of(store.setCatchAll(domain, null));
    }

    @GET
    @Path("{domain}/dns")
    @Operation(summary = "DNS records to publish: MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, TLSA; also as zone-file text")
    public Views.DnsView dns(@PathParam("domain") String domain) {
        DomainRecord d = store.requireDomain(domain);
        DnsRecords.Settings settings = services.dnsSettings(d.name());
        List<DnsRecord> records = DnsRecords.forDomain(d, settings);
        return new Views.DnsView(d.name(), records.stream().map(Views.RecordView::of).toList(),
                DnsRecords.mtaStsPolicy(settings), DnsRecords.zoneFile(records));
    }

    @GET
    @Path("{domain}/dns/zone")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "DNS records to publish, as zone-file text")
    public String zone(@PathParam("domain") String domain) {
        DomainRecord d = store.requireDomain(domain);
        return DnsRecords.zoneFile(DnsRecords.forDomain(d, services.dnsSettings(d.name())));
    }

    @GET
    @Path("{domain}/mta-sts.txt")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The MTA-STS policy to serve at https://mta-sts.<domain>/.well-known/mta-sts.txt")
    public String mtaSts(@PathParam("domain") String domain) {
        DomainRecord d = store.requireDomain(domain);
        return DnsRecords.mtaStsPolicy(services.dnsSettings(d.name()));
    }
}
