#!/usr/bin/perl
# Mail::DKIM (Debian libmail-dkim-perl) as an interop peer, offline: Mail::DKIM::DNS::query is
# replaced by a lookup in a JSON dict (name -> TXT text), so no packet leaves the machine.
#
# usage: maildkim_tool.pl verify MSG DNS.json      -> one line per signature: result (e.g. pass, fail, invalid)
#        maildkim_tool.pl sign MSG KEY SELECTOR DOMAIN -> signed message (rsa-sha256, relaxed/relaxed) on stdout
#        maildkim_tool.pl arc-verify MSG DNS.json  -> ARC chain result (pass, fail, none)
#        maildkim_tool.pl arc-sign MSG KEY SELECTOR DOMAIN SRVID -> sealed message on stdout (cv from our AR's arc=)
use strict;
use warnings;
use JSON::PP;
use Net::DNS;
use Mail::DKIM::Verifier;
use Mail::DKIM::Signer;
use Mail::DKIM::ARC::Verifier;
use Mail::DKIM::ARC::Signer;

my ($cmd, $msgfile, @args) = @ARGV;
open(my $fh, '<:raw', $msgfile) or die "cannot read $msgfile";
my $msg = do { local $/; <$fh> };
close $fh;
$msg =~ s/(?<!\r)\n/\r\n/g;

sub fake_dns {
    my ($path) = @_;
    open(my $j, '<', $path) or die "cannot read $path";
    my $table = decode_json(do { local $/; <$j> });
    my %t = map { lc($_) => $table->{$_} } keys %$table;
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ($domain, $type) = @_;
        my $v = $t{lc $domain};
        return () unless defined $v;
        my $rr = Net::DNS::RR->new(name => $domain, type => 'TXT', txtdata => [ unpack('(a255)*', $v) ]);
        return ($rr);
    };
}

if ($cmd eq 'verify') {
    fake_dns($args[0]);
    my $v = Mail::DKIM::Verifier->new();
    $v->PRINT($msg);
    $v->CLOSE();
    my @sigs = $v->signatures;
    print(($_->result // 'none'), "\n") for @sigs;
    print "none\n" unless @sigs;
} elsif ($cmd eq 'sign') {
    my ($key, $selector, $domain) = @args;
    my $s = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => 'relaxed/relaxed', Domain => $domain,
        Selector => $selector, KeyFile => $key, Headers => 'from:to:subject:date:message-id');
    $s->PRINT($msg);
    $s->CLOSE();
    binmode STDOUT;
    print $s->signature->as_string, "\r\n", $msg;
} elsif ($cmd eq 'arc-verify') {
    fake_dns($args[0]);
    my $v = Mail::DKIM::ARC::Verifier->new();
    $v->PRINT($msg);
    $v->CLOSE();
    print $v->result, "\n";
} elsif ($cmd eq 'arc-sign') {
    my ($key, $selector, $domain, $srvid) = @args;
    my $s = Mail::DKIM::ARC::Signer->new(Algorithm => 'rsa-sha256', Chain => 'ar', Domain => $domain, SrvId => $srvid,
        Selector => $selector, KeyFile => $key, Headers => 'from:to:subject:date:message-id');
    $s->PRINT($msg);
    $s->CLOSE();
    die 'not sealed: ' . ($s->result_detail // '') unless $s->result eq 'sealed';
    binmode STDOUT;
    my $set = $s->as_string;
    $set =~ s/(?<!\r)\n/\r\n/g;
    $set .= "\r\n" unless $set =~ /\r\n\z/;
    print $set, $msg;
} else {
    die "unknown command $cmd";
}
