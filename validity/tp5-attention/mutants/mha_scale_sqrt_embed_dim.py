# lose: Q3
# message: tp5_mha_scale_embed
# why: writes its own attention inside the heads and scales by sqrt(embed_dim) instead of sqrt(embed_dim / num_heads)
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, query, key, value, mask=None):
        Lq, B, E = query.shape
        Lk, h = key.shape[0], self.num_heads
        d = E // h
        q = self.q_proj(query).view(Lq, B, h, d).permute(1, 2, 0, 3)
        k = self.k_proj(key).view(Lk, B, h, d).permute(1, 2, 0, 3)
        v = self.v_proj(value).view(Lk, B, h, d).permute(1, 2, 0, 3)
        scores = q @ k.transpose(-1, -2) / math.sqrt(E)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None] if mask.dim() == 3 else ~mask, float("-inf"))
        a = torch.softmax(scores, dim=-1)
        out = (a @ v).permute(2, 0, 1, 3).reshape(Lq, B, E)
        return self.out_proj(out), a.mean(dim=1)
