package io.mailroom.controller;

import io.mailroom.common.NotFoundException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.store.AccountStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Aliases: extra addresses that deliver to a local user (who may also send as them). */
@Path("/api/v1/aliases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "aliases")
public class AliasesResource {
    @Inject
    AccountStore store;

    @POST
    @Operation(summary = "Create an alias pointing at a local user")
    public Response create(Views.NewAlias body) {
        Bodies.required(body);
        var a = store.createAlias(Bodies.field(body.address(), "address"), Bodies.field(body.target(), "target"));
        return Response.status(201).entity(Views.AliasView.of(a)).build();
    }

    @GET
    @Operation(summary = "List aliases, optionally of one domain")
    public List<Views.AliasView> list(@QueryParam("domain") String domain) {
        return store.aliases(UsersResource.blankToNull(domain)).stream().map(Views.AliasView::of).toList();
    }

    @GET
    @Path("{address}")
    @Operation(summary = "An alias and its target")
    public Views.AliasView get(@PathParam("address") String address) {
        return store.alias(address).map(Views.AliasView::of)
                .orElseThrow(() -> new NotFoundException("unknown alias " + EmailAddress.parse(address)));
    }

    @DELETE
    @Path("{address}")
    @Operation(summary = "Delete an alias")
    public Response delete(@PathParam("address") String address) {
        store.deleteAlias(address);
        return Response.noContent().build();
    }
}
