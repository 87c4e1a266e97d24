# target: generate.py
# why: p_nucleus written row by row with a Python loop and torch.argsort, renormalising with masked_fill
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        out = torch.zeros_like(probs)
        for row in range(probs.shape[0]):
            order = torch.argsort(probs[row], descending=True)
            mass = 0.0
            for j in order.tolist():
                out[row, j] = probs[row, j]
                mass += probs[row, j].item()
                if mass >= alpha:
                    break
        return out / out.sum(dim=1, keepdim=True)
    return compute
