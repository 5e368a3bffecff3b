package io.mailroom.controller;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.ReceivedReports;
import io.mailroom.reports.ReportSummary;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The DMARC aggregate reports (RFC 7489 appendix C, RFC 9990) and SMTP TLS reports (RFC 8460)
 * that the Inbox received at a domain's report address, summarised per source.
 */
@Path("/api/v1/domains/{domain}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "reports")
public class ReportsResource {
    @Inject
    AccountStore store;
    @Inject
    RedisDataSource redis;

    @GET
    @Path("dmarc-reports")
    @Operation(summary = "Per source IP: messages that passed, failed or are unknown in the DMARC reports received")
    public ReportSummary.Dmarc dmarc(@PathParam("domain") String domain) {
        store.requireDomain(domain);
        return new ReceivedReports(redis).dmarcSummary(domain);
    }

    @GET
    @Path("tls-reports")
    @Operation(summary = "Per reporting organization and policy: TLS sessions that succeeded and failed")
    public ReportSummary.Tls tls(@PathParam("domain") String domain) {
        store.requireDomain(domain);
        return new ReceivedReports(redis).tlsSummary(domain);
    }
}
