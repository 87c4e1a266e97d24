# why: one fused nn.Parameter (3E, E) like nn.MultiheadAttention's in_proj_weight, heads split head-major with permute, weights averaged with sum / h
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, query, key, value, mask=None):
        E, H = self.embed_dim, self.num_heads
        W = self.in_proj_weight
        b = self.in_proj_bias
        q = F.linear(query, W[:E], b[:E])
        k = F.linear(key, W[E : 2 * E], b[E : 2 * E])
        v = F.linear(value, W[2 * E :], b[2 * E :])
        Lq, B, _ = q.shape
        Lk = k.shape[0]
        q = q.reshape(Lq, B, H, E // H).permute(2, 1, 0, 3)  # (H, B, Lq, d)
        k = k.reshape(Lk, B, H, E // H).permute(2, 1, 0, 3)
        v = v.reshape(Lk, B, H, E // H).permute(2, 1, 0, 3)
        att = q @ k.transpose(-1, -2) / math.sqrt(E // H)
        if mask is not None:
            att = att.masked_fill(torch.logical_not(mask), -math.inf)
        att = att.softmax(-1)
        y = (att @ v).permute(2, 1, 0, 3).reshape(Lq, B, E)
        return self.out_proj(y), att.sum(0) / H
