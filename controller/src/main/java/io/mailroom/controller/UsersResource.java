package io.mailroom.controller;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.NotFoundException;
import io.mailroom.common.password.RandomPasswords;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.User;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Mail accounts: the users Dovecot authenticates and the Outbox lets send. */
@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "users")
public class UsersResource {
    static final int MAX_PAGE = 1000;

    @Inject
    AccountStore store;
    @Inject
    Mailboxes mailboxes;
    @Inject
    Certificates certificates;

    @POST
    @Operation(summary = "Create a user; without a password one is generated and returned once")
    public Response create(Views.NewUser body) {
        Bodies.required(body);
        Bodies.field(body.address(), "address");
        boolean generate = body.password() == null || body.password().isEmpty();
        String password = generate ? RandomPasswords.generate() : body.password();
        User u = store.createUser(body.address(), password);
        if (body.quota() != null && !body.quota().isBlank()) {
            try {
                u = store.setQuota(u.address().toString(), body.quota());
            } catch (InvalidInputException e) {
                store.deleteUser(u.address().toString());
                throw e;
            }
        }
        return Response.status(201).entity(Views.UserView.of(u, List.of(), generate ? password : null)).build();
    }

    @GET
    @Operation(summary = "List users in address order, optionally of one domain, a page at a time")
    public Views.UserPage list(@QueryParam("domain") String domain, @QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit > MAX_PAGE) {
            throw new InvalidInputException("limit must be at most " + MAX_PAGE);
        }
        List<Views.UserView> items = store.users(blankToNull(domain), offset, limit).stream()
                .map(u -> Views.UserView.of(u, null, null)).toList();
        long total = domain == null || domain.isBlank() ? store.countUsers()
                : store.users(domain, 0, Integer.MAX_VALUE).size();
        return new Views.UserPage(items, offset, limit, total);
    }

    @GET
    @Path("{address}")
    @Operation(summary = "A user with its aliases")
    public Views.UserView get(@PathParam("address") String address) {
        User u = store.requireUser(address);
        return Views.UserView.of(u, store.aliasesOf(u.address().toString()), null);
    }

    @PUT
    @Path("{address}/password")
    @Operation(summary = "Change the password; without one a new password is generated and returned once")
    public Views.PasswordChanged password(@PathParam("address") String address, Views.NewPassword body) {
        boolean generate = body == null || body.password() == null || body.password().isEmpty();
        String password = generate ? RandomPasswords.generate() : body.password();
        User u = store.setPassword(address, password);
        return new Views.PasswordChanged(u.address().toString(), generate ? password : null);
    }

    @POST
    @Path("{address}/disable")
    @Operation(summary = "Disable the account: no IMAP login, no submission, no delivery change")
    public Views.UserView disable(@PathParam("address") String address) {
        return Views.UserView.of(store.setDisabled(address, true), null, null);
    }

    @POST
    @Path("{address}/enable")
    @Operation(summary = "Enable a disabled account")
    public Views.UserView enable(@PathParam("address") String address) {
        return Views.UserView.of(store.setDisabled(address, false), null, null);
    }

    @PUT
    @Path("{address}/quota")
    @Operation(summary = "Set the storage quota (e.g. 500M, 2G); null or empty removes it")
    public Views.UserView quota(@PathParam("address") String address, Views.Quota body) {
        Bodies.required(body);
        return Views.UserView.of(store.setQuota(address, body.quota()), null, null);
    }

    @DELETE
    @Path("{address}")
    @Operation(summary = "Delete a user, its aliases and certificate (revoked). Stored mail stays on disk unless "
            + "purge=true, which deletes the mailbox directory")
    public Views.UserDeleted delete(@PathParam("address") String address,
            @QueryParam("purge") @DefaultValue("false") boolean purge) {
        User u = store.requireUser(address);
        if (purge) {
            mailboxes.purgeTarget(u); // refuse before anything is deleted
        }
        String revoked = certificates.revokeStored(u.address().toString());
        store.deleteUser(u.address().toString());
        boolean purged = purge && mailboxes.purge(u);
        return new Views.UserDeleted(u.address().toString(), purged, revoked);
    }

    // ---------------------------------------------------------------- client certificates

    @POST
    @Path("{address}/certificate")
    @Operation(summary = "Issue a client certificate (PKCS#12, base64) for IMAP login and S/MIME; replaces and "
            + "revokes the previous one. Without a password one is generated and returned once")
    public Response issue(@PathParam("address") String address, Views.NewCertificate body) {
        return Response.status(201).entity(certificates.issue(address, body)).build();
    }

    @GET
    @Path("{address}/certificate")
    @Operation(summary = "The user's current client certificate (public part)")
    public Views.CertificateView certificate(@PathParam("address") String address) {
        return certificates.current(address)
                .orElseThrow(() -> new NotFoundException("user " + store.requireUser(address).address()
                        + " has no certificate"));
    }

    @DELETE
    @Path("{address}/certificate")
    @Operation(summary = "Revoke the user's client certificate (added to the CRL) and forget it")
    public Views.Revoked revoke(@PathParam("address") String address) {
        User u = store.requireUser(address);
        String serial = certificates.revokeStored(u.address().toString());
        if (serial == null) {
            throw new NotFoundException("user " + u.address() + " has no certificate");
        }
        return new Views.Revoked(u.address().toString(), serial);
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
