# why: one small Linear (E -> E/h) per head and per role in ModuleLists, heads concatenated then W^O (a loop over the heads, the other classic layout)
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        d = embed_dim // num_heads
        self.q_heads = nn.ModuleList([nn.Linear(embed_dim, d) for _ in range(num_heads)])
        self.k_heads = nn.ModuleList([nn.Linear(embed_dim, d) for _ in range(num_heads)])
        self.v_heads = nn.ModuleList([nn.Linear(embed_dim, d) for _ in range(num_heads)])
        self.W_o = nn.Linear(embed_dim, embed_dim)

    def forward(self, query, key, value, mask=None):
        outs, ws = [], []
        for wq, wk, wv in zip(self.q_heads, self.k_heads, self.v_heads):
            o, w = scaled_dot_product_attention(wq(query), wk(key), wv(value), mask)
            outs.append(o)
            ws.append(w)
        return self.W_o(torch.cat(outs, dim=-1)), torch.stack(ws).mean(0)
