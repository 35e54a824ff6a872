namespace Cl2.Dicom.Network.Dimse;

/// <summary>Command Field (0000,0100) values (PS3.7 E.1). A response is its request with bit 15 set.</summary>
public enum CommandField : ushort
{
    CStoreRq = 0x0001,
    CStoreRsp = 0x8001,
    CGetRq = 0x0010,
    CGetRsp = 0x8010,
    CFindRq = 0x0020,
    CFindRsp = 0x8020,
    CMoveRq = 0x0021,
    CMoveRsp = 0x8021,
    CEchoRq = 0x0030,
    CEchoRsp = 0x8030,
    NEventReportRq = 0x0100,
    NEventReportRsp = 0x8100,
    NGetRq = 0x0110,
    NGetRsp = 0x8110,
    NSetRq = 0x0120,
    NSetRsp = 0x8120,
    NActionRq = 0x0130,
    NActionRsp = 0x8130,
    NCreateRq = 0x0140,
    NCreateRsp = 0x8140,
    NDeleteRq = 0x0150,
    NDeleteRsp = 0x8150,
    CCancelRq = 0x0FFF,
}

public static class CommandFieldExtensions
{
    private const ushort ResponseBit = 0x8000;

    public static bool IsResponse(this CommandField field) => ((ushort)field & ResponseBit) != 0;

    public static CommandField ResponseOf(this CommandField request) => (CommandField)((ushort)request | ResponseBit);
}
