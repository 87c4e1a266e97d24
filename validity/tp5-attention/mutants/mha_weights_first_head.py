# lose: Q3
# message: tp5_mha_weights_not_averaged
# why: returns the weights of the first head only (attn[:, 0]) "to plot them"
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.wq = nn.Linear(embed_dim, embed_dim)
        self.wk = nn.Linear(embed_dim, embed_dim)
        self.wv = nn.Linear(embed_dim, embed_dim)
        self.wo = nn.Linear(embed_dim, embed_dim)

    def forward(self, query, key, value, mask=None):
        Lq, B, E = query.shape
        Lk, h = key.shape[0], self.num_heads
        d = E // h
        q = self.wq(query).view(Lq, B, h, d).permute(1, 2, 0, 3)
        k = self.wk(key).view(Lk, B, h, d).permute(1, 2, 0, 3)
        v = self.wv(value).view(Lk, B, h, d).permute(1, 2, 0, 3)
        s = q @ k.transpose(-2, -1) / math.sqrt(d)
        if mask is not None:
            s = s.masked_fill(~(mask.unsqueeze(1) if mask.dim() == 3 else mask), float("-inf"))
        attn = torch.softmax(s, dim=-1)  # (B, h, Lq, Lk)
        out = (attn @ v).permute(2, 0, 1, 3).reshape(Lq, B, E)
        return self.wo(out), attn[:, 0]
