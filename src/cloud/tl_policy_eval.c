/*
 * tl_policy evaluation: which statements apply to a request, and the
 * AWS/IAM rule for combining them (explicit Deny > Allow > implicit deny).
 */
#include <stdio.h>
#include <string.h>

#include "tl_policy_internal.h"

/* The request cut at its first five colons into at most six parts (an
 * ARN's arn, partition, service, region, account, resource; the resource
 * keeps any further colons, a topic may hold ':'). Returns the count. */
static size_t split_arn(const char *s, const char *part[TL_POLICY__ARN_PARTS],
                        size_t len[TL_POLICY__ARN_PARTS])
{
    size_t k = 0;
    const char *start = s, *q;
    for (q = s; *q != '\0' && k < TL_POLICY__ARN_PARTS - 1; q++) {
        if (*q == ':') {
            part[k] = start;
            len[k] = (size_t)(q - start);
            k++;
            start = q + 1;
        }
    }
    part[k] = start;
    len[k] = strlen(start);
    return k + 1;
}

typedef struct {
    size_t nparts;
    const char *part[TL_POLICY__ARN_PARTS];
    size_t len[TL_POLICY__ARN_PARTS];
    tl_policy__vars vars;
} subject;

/* Does pattern segment p[0..n) match request parts k..e (joined with their
 * colons, which are contiguous in the request)? */
static int seg_matches(const tl_policy *pol, const tl_policy__piece *p, size_t n,
                       const subject *sub, size_t k, size_t e)
{
    const char *from = sub->part[k];
    size_t len = (size_t)(sub->part[e] + sub->len[e] - from);
    return tl_policy__match(p, n, pol->pool, &sub->vars, from, len, 0);
}

/*
 * IAM matches an ARN part by part, so `*` in the region cannot eat the
 * account; but a `*` that ends a part may expand across colons
 * ("arn:aws:iot:*" covers every IoT resource). So: align pattern segments
 * with request parts, letting a segment that ends in `*` cover several
 * parts. ok[j][k] = segments j.. match parts k..; at most 6 x 6 cells.
 */
static int resource_matches(const tl_policy *pol, const tl_policy__resource *r,
                            const subject *sub)
{
    const tl_policy__piece *p = &pol->piece[r->piece_first];
    size_t n = r->piece_count, nseg = 0, i, j, k, e;
    size_t seg_at[TL_POLICY__ARN_PARTS], seg_n[TL_POLICY__ARN_PARTS];
    unsigned char ok[TL_POLICY__ARN_PARTS + 1][TL_POLICY__ARN_PARTS + 1];
    int v;

    /* AWS: a resource whose variable cannot be resolved matches nothing,
     * which keeps a thing-scoped Allow from turning into a wider one. */
    for (v = 0; v < TL_POLICY__VAR_COUNT; v++) {
        if ((r->vars & (1u << v)) && sub->vars.val[v] == NULL)
            return 0;
    }
    seg_at[0] = 0;
    for (i = 0; i <= n; i++) {
        if (i == n || p[i].kind == TL_POLICY__SEP) {
            seg_n[nseg] = i - seg_at[nseg];
            if (++nseg < TL_POLICY__ARN_PARTS)
                seg_at[nseg] = i + 1;
        }
    }
    memset(ok, 0, sizeof ok);
    ok[nseg][sub->nparts] = 1;
    for (j = nseg; j-- > 0;) {
        const tl_policy__piece *sp = p + seg_at[j];
        int star_end = seg_n[j] > 0 && sp[seg_n[j] - 1].kind == TL_POLICY__STAR;
        for (k = sub->nparts; k-- > 0;) {
            if (j == nseg - 1) { /* the last segment takes all that is left */
                if (k + 1 == sub->nparts || star_end)
                    ok[j][k] = (unsigned char)seg_matches(pol, sp, seg_n[j], sub, k,
                                                          sub->nparts - 1);
                continue;
            }
            for (e = k; e + 1 < sub->nparts && (e == k || star_end) && !ok[j][k]; e++) {
                if (ok[j + 1][e + 1])
                    ok[j][k] = (unsigned char)seg_matches(pol, sp, seg_n[j], sub, k, e);
            }
        }
    }
    return ok[0][0];
}

tl_policy_decision tl_policy_eval(const tl_policy *const *policies, size_t n,
                                  const tl_policy_request *req,
                                  tl_policy_reason *why)
{
    subject sub;
    tl_policy_reason allow = { 0, 0, NULL };
    int allowed = 0, v;
    size_t k, s, r;
    uint32_t bit;

    if (policies == NULL || req == NULL || req->resource == NULL ||
        (unsigned)req->action >= TL_POLICY_ACTION__COUNT)
        return TL_POLICY_DENY_IMPLICIT;
    bit = UINT32_C(1) << req->action;
    memset(&sub, 0, sizeof sub);
    sub.nparts = split_arn(req->resource, sub.part, sub.len);
    sub.vars.val[TL_POLICY__VAR_CLIENT_ID] = req->client_id;
    sub.vars.val[TL_POLICY__VAR_THING_NAME] = req->thing_name;
    sub.vars.val[TL_POLICY__VAR_THING_TYPE] = req->thing_type_name;
    sub.vars.val[TL_POLICY__VAR_IS_ATTACHED] = req->thing_attached ? "true" : "false";
    for (v = 0; v < TL_POLICY__VAR_COUNT; v++)
        sub.vars.len[v] = sub.vars.val[v] ? strlen(sub.vars.val[v]) : 0;

    for (k = 0; k < n; k++) {
        const tl_policy *pol = policies[k];
        if (pol == NULL)
            continue;
        for (s = 0; s < pol->n_statements; s++) {
            const tl_policy__statement *st = &pol->statement[s];
            int hit = 0;
            if (!(st->actions & bit) || (!st->deny && allowed))
                continue; /* an Allow after the first changes nothing */
            for (r = 0; r < st->res_count && !hit; r++)
                hit = resource_matches(pol, &pol->res[st->res_first + r], &sub);
            if (!hit)
                continue;
            if (st->deny) {
                if (why != NULL) {
                    why->policy = k;
                    why->statement = s;
                    why->sid = st->sid == UINT16_MAX ? NULL : pol->pool + st->sid;
                }
                return TL_POLICY_DENY_EXPLICIT;
            }
            allowed = 1;
            allow.policy = k;
            allow.statement = s;
            allow.sid = st->sid == UINT16_MAX ? NULL : pol->pool + st->sid;
        }
    }
    if (!allowed)
        return TL_POLICY_DENY_IMPLICIT;
    if (why != NULL)
        *why = allow;
    return TL_POLICY_ALLOW;
}

tl_policy_decision tl_policy_eval_one(const tl_policy *policy,
                                      const tl_policy_request *req)
{
    const tl_policy *one[1];
    one[0] = policy;
    return tl_policy_eval(one, 1, req, NULL);
}

int tl_policy_arn(char *buf, size_t size, const char *region,
                  const char *account, tl_policy_resource_kind kind,
                  const char *name)
{
    static const char *const kinds[] = { "client", "topic", "topicfilter", "thing" };
    int n;
    if (buf == NULL || size == 0)
        return -1;
    buf[0] = '\0';
    if (region == NULL || account == NULL || name == NULL ||
        (unsigned)kind >= sizeof kinds / sizeof kinds[0])
        return -1;
    n = snprintf(buf, size, "arn:%s:iot:%s:%s:%s/%s", TL_POLICY_PARTITION, region,
                 account, kinds[kind], name);
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return -1;
    }
    return n;
}

const char *tl_policy_decision_name(tl_policy_decision d)
{
    switch (d) {
    case TL_POLICY_ALLOW:
        return "ALLOW";
    case TL_POLICY_DENY_EXPLICIT:
        return "DENY_EXPLICIT";
    case TL_POLICY_DENY_IMPLICIT:
        break;
    }
    return "DENY_IMPLICIT";
}
