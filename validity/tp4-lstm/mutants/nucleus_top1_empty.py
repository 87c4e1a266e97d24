# target: generate.py
# lose: Q7
# message: tp4_nucleus_one_hot
# why: uses a strict cumulative test without keeping the first symbol, so a row whose top probability is above alpha gets an empty nucleus (NaN after normalising)
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        cum = sorted_p.cumsum(dim=-1)
        keep_sorted = (cum < alpha) | ((cum - sorted_p < alpha) & (cum - sorted_p > 0))
        if alpha >= 1:
            keep_sorted[:] = True
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        nucleus = probs * keep
        return nucleus / nucleus.sum(dim=-1, keepdim=True)
    return compute
