"""The lab: fair trials of the Centre's support approaches across LAs.

power     how likely a trial is to detect an effect (Hussey and Hughes, or simulation)
allocate  stratified, seeded randomisation of LAs to waves, with a balance table
estimate  Callaway and Sant'Anna difference-in-differences through csdid (R `did`'s port)
simulate  synthetic stepped-wedge trials with a known true effect
report    the trial report (self-contained HTML) and the what-works ranking

The methods are explained for Centre staff in docs/lab.md.
"""
