# target: generate.py
# lose: Q7
# message: tp4_nucleus_rows
# why: computes the size of the nucleus once, from the first row, and keeps that many top symbols in every row
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        before = sorted_p.cumsum(dim=-1) - sorted_p
        size = int((before[0] < alpha).sum()) if alpha < 1 else probs.shape[-1]
        keep = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, order[:, :size], True)
        nucleus = probs * keep
        return nucleus / nucleus.sum(dim=-1, keepdim=True)
    return compute
